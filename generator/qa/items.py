"""The question items as the warehouse computes them (`qa.mart_qa_items`), the admission numbers and the
synonyms, read into models; and the item as `qa build` writes it (`BenchItem`)."""

from pathlib import Path
from typing import Literal

import duckdb
from pydantic import BaseModel, ConfigDict

from generator.qa import QaError

AnswerType = Literal["number", "count", "admission", "direction", "choice", "category"]
Expected = Literal["answer", "not_documented"]
Source = Literal["record", "not_said", "cross_patient"]


class QaItem(BaseModel):
    """One row of `qa.mart_qa_items` (models/marts/qa/_qa__marts.yml describes every field)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    item_id: str
    subject_id: int
    family: str
    question: str
    answer_type: AnswerType
    analyte: str | None
    expected: Expected
    gold_text: str | None
    gold_number: float | None
    gold_unit: str | None
    tolerance: float | None
    options: list[str]
    evidence_eids: list[str]
    evidence_values: list[str]
    evidence_admission_indexes: list[int]
    asked_after_index: int
    admission_distance: int
    sample_rank: int


class TurnRef(BaseModel):
    """A turn of a conversation: the patient, the admission (its id, for the report pages, and its number in the
    record) and the turn's id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject_id: int
    hadm_id: int
    admission_index: int
    turn_id: int


class BenchItem(QaItem):
    """An item of a qa folder, in one context bucket: where it came from (`record`; `not_said`, a record fact no
    turn states, now expected "not documented"; `cross_patient`, a fact of a padding patient asked of this one),
    the turns that state its evidence, its context and how deep in it the evidence lies (0 start, 1 end)."""

    source: Source
    said_turns: list[TurnRef]
    bucket: str
    context_id: str
    evidence_depth: float | None


class QaAdmission(BaseModel):
    subject_id: int
    hadm_id: int
    admission_index: int
    n_admissions: int


def read_marts(db_path: Path) -> tuple[list[QaItem], list[QaAdmission], dict[str, str]]:
    """Items, admission numbers and synonyms from a built warehouse."""
    if not db_path.is_file():
        raise QaError(f"No warehouse at {db_path}: run `mimicbench build` first.")
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as error:
        raise QaError(f"Cannot open {db_path} ({error}): is a build writing it? Retry when it is done.") from None
    try:
        items = _rows(con, "select * from qa.mart_qa_items order by subject_id, family, sample_rank")
        admissions = _rows(con, "select * from qa.mart_qa_admissions order by subject_id, admission_index")
        synonyms = {row["term"]: row["canonical"] for row in _rows(con, "select * from qa.mart_qa_synonyms")}
    except duckdb.CatalogException:
        raise QaError(f"{db_path} has no qa marts: rebuild it with `mimicbench build`.") from None
    finally:
        con.close()
    return [QaItem(**row) for row in items], [QaAdmission(**row) for row in admissions], synonyms


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
