"""`mimicbench cdm export`: read the CDM marts into `HadmCase`s (default or extended mode), and the lab test
mapping in CDMv1's own format (`lab_test_mapping.json`, which the course project reads)."""

from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

from generator.cdm import CdmError
from generator.cdm.case import (
    CdmBenchmark,
    Demographics,
    DetailedLabResult,
    DiagnosticCriteria,
    GroundTruth,
    HadmCase,
    LabMappingRow,
    MicrobiologyEvent,
    RadiologyReport,
    Treatment,
)
from generator.origin import CREDENTIALED, checked_origin

LAB_TEST_MAPPING_FILE = "lab_test_mapping.json"  # the name the course project reads


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
            icd_diagnoses = _rows(con, "select * from cdm.mart_cdm_icd_diagnoses order by hadm_id, seq_num")
            treatments = _rows(con, "select * from cdm.mart_cdm_treatments order by hadm_id, source, seq_num, icd_code")
            mapping = _rows(
                con, "select * from cdm.mart_cdm_lab_test_mapping order by row_order, member_order, member_itemid"
            )
            criteria = _rows(con, "select * from cdm.mart_cdm_diagnostic_criteria order by disease")
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
            ("icd_diagnoses", icd_diagnoses),
            ("treatments", treatments),
        ]
    }
    return CdmBenchmark(
        data_origin=origin.data_origin,
        extended=extended,
        lab_test_mapping=_mapping_rows(mapping),
        diagnostic_criteria=[
            DiagnosticCriteria(
                disease=row["disease"],
                aliases=[alias.strip() for alias in (row["aliases"] or "").split(";") if alias.strip()],
                criteria=row["criteria"],
                source=row["source"],
            )
            for row in criteria
        ],
        cases=[_case(row, {name: rows.get(row["hadm_id"], []) for name, rows in children.items()}) for row in cases],
    )


def _case(row: dict[str, Any], children: dict[str, list[dict[str, Any]]]) -> HadmCase:
    return HadmCase(
        hadm_id=row["hadm_id"],
        pathology=row["pathology"],
        demographics=Demographics(age=row["age"], gender=row["gender"])
        if row["age"] is not None and row["gender"] is not None
        else None,
        patient_history=row["patient_history"],
        physical_exam_text=row["physical_exam_text"],
        lab_results=[DetailedLabResult.model_validate(lab) for lab in children["labs"]],
        microbiology_events=[MicrobiologyEvent.model_validate(event) for event in children["micro"]],
        radiology_reports=[RadiologyReport.model_validate(report) for report in children["radiology"]],
        ground_truth=GroundTruth(
            primary_diagnosis=[d["title"] for d in children["diagnoses"]],
            treatments=[Treatment.model_validate(t) for t in children["treatments"]],
            icd_diagnoses=[d["title"] for d in children["icd_diagnoses"]],
        ),
    )


def cdmv1_lab_test_mapping(mapping: list[LabMappingRow]) -> list[dict[str, Any]]:
    """The mapping as CDMv1 (and the course project) reads `lab_test_mapping.json`: its rows without our own
    synonyms, each with itemid, label, fluid, category, count and corresponding_ids."""
    return [
        {
            "itemid": row.itemid,
            "label": row.label,
            "fluid": row.fluid,
            "category": row.category,
            "count": row.count,
            "corresponding_ids": row.corresponding_ids,
        }
        for row in mapping
        if row.kind != "synonym"
    ]


def _mapping_rows(rows: list[dict[str, Any]]) -> list[LabMappingRow]:
    """Mapping rows from the mart's (row, member) rows, already in row and member order."""
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["row_order"]].append(row)
    return [
        LabMappingRow(
            kind=members[0]["kind"],
            label=members[0]["label"],
            fluid=members[0]["fluid"],
            itemid=members[0]["itemid"],
            category=members[0]["category"],
            count=members[0]["event_count"],
            rubric_category=members[0]["rubric_category"],
            corresponding_ids=[member["member_itemid"] for member in members],
        )
        for members in grouped.values()
    ]


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _by_hadm(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["hadm_id"]].append(row)
    return grouped
