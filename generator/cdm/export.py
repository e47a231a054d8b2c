"""`mimicbench cdm export`: read the CDM marts into `HadmCase`s (default or extended mode)."""

from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

from generator.cdm import CdmError
from generator.cdm.case import (
    CdmBenchmark,
    Demographics,
    DetailedLabResult,
    GroundTruth,
    HadmCase,
    LabTestTerm,
    MicrobiologyEvent,
    RadiologyReport,
    Treatment,
)
from generator.origin import CREDENTIALED, checked_origin


def read_benchmark(db_path: Path, *, extended: bool = False) -> CdmBenchmark:
    """All CDM cases of the warehouse, children ordered by time; `extended` keeps up to 3 results per test
    (and per imaging modality and region) before the first procedure instead of the first result."""
    if not db_path.exists():
        raise CdmError(f"No warehouse at {db_path}: run `mimicbench build` first or pass --db.")
    rank, kept = ("extended_rank", "extended_rank is not null") if extended else ("first_rank", "first_rank = 1")
    report_rank = "extended_rank" if extended else "sequence_num"
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            cases = _rows(con, "select * from cdm.mart_cdm_cases order by hadm_id")
            labs = _rows(
                con,
                f"select *, {rank} as sequence_num from cdm.mart_cdm_labs where {kept}"
                " order by hadm_id, charttime, itemid, labevent_id",
            )
            micro = _rows(
                con,
                f"select *, {rank} as sequence_num from cdm.mart_cdm_microbiology where {kept}"
                " order by hadm_id, charttime, test_itemid",
            )
            radiology = _rows(
                con,
                f"select * exclude (sequence_num), {report_rank} as sequence_num from cdm.mart_cdm_radiology"
                f" where {report_rank} is not null order by hadm_id, charttime, note_id",
            )
            diagnoses = _rows(con, "select * from cdm.mart_cdm_diagnoses order by hadm_id, seq_num")
            treatments = _rows(con, "select * from cdm.mart_cdm_treatments order by hadm_id, seq_num, icd_code")
            mapping = _rows(con, "select * from cdm.mart_cdm_lab_test_mapping order by term, itemid")
    except duckdb.CatalogException as error:
        raise CdmError(f"{db_path} has no CDM marts: rebuild it with `mimicbench build`.") from error
    except duckdb.Error as error:
        first_line = str(error).splitlines()[0]
        raise CdmError(
            f"Cannot read {db_path} ({first_line}): pass a warehouse built by `mimicbench build`."
        ) from error
    labels = {row["data_origin"] for row in cases} or {CREDENTIALED}
    origin = checked_origin(
        labels.pop() if len(labels) == 1 else CREDENTIALED, hadm_ids=[row["hadm_id"] for row in cases]
    )
    children = {
        name: _by_hadm(rows)
        for name, rows in [
            ("labs", labs),
            ("micro", micro),
            ("radiology", radiology),
            ("diagnoses", diagnoses),
            ("treatments", treatments),
        ]
    }
    return CdmBenchmark(
        data_origin=origin.data_origin,
        extended=extended,
        lab_test_mapping=[LabTestTerm.model_validate(row) for row in mapping],
        cases=[_case(row, {name: rows.get(row["hadm_id"], []) for name, rows in children.items()}) for row in cases],
    )


def _case(row: dict[str, Any], children: dict[str, list[dict[str, Any]]]) -> HadmCase:
    return HadmCase(
        hadm_id=row["hadm_id"],
        pathology=row["pathology"],
        demographics=Demographics(age=row["age"], gender=row["gender"]),
        patient_history=row["patient_history"],
        physical_exam_text=row["physical_exam_text"],
        lab_results=[DetailedLabResult.model_validate(lab) for lab in children["labs"]],
        microbiology_events=[MicrobiologyEvent.model_validate(event) for event in children["micro"]],
        radiology_reports=[RadiologyReport.model_validate(report) for report in children["radiology"]],
        ground_truth=GroundTruth(
            primary_diagnosis=[d["title"] for d in children["diagnoses"]],
            treatments=[Treatment.model_validate(t) for t in children["treatments"]],
        ),
    )


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _by_hadm(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["hadm_id"]].append(row)
    return grouped
