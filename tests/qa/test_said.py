"""The said-check: a turn must cite the evidence row and state its value (numbers, units, rounding, names)."""

import csv
import json
from pathlib import Path

import pytest

from generator.qa.conversations import Conversation
from generator.qa.items import QaItem
from generator.qa.said import said_turns

HAND_CHECKED = Path(__file__).with_name("hand_checked_50.json")
SYNONYM_SEED = Path(__file__).resolve().parents[2] / "seeds" / "qa" / "qa_synonyms.csv"
SYNONYMS = {
    "e. coli": "escherichia coli",
    "staph aureus coag +": "staphylococcus aureus",
    "zosyn": "piperacillin-tazobactam",
}


def conversations_of(turns: list[dict]) -> dict[int, Conversation]:
    by_admission: dict[int, list[dict]] = {}
    for turn in turns:
        by_admission.setdefault(turn["admission_index"], []).append(turn)
    return {k: Conversation(1, k, k, ts) for k, ts in by_admission.items()}


def item(values: list[str], unit: str | None = None, eids: list[str] | None = None) -> QaItem:
    eids = eids or [f"LAB#{n}" for n in range(len(values))]
    return QaItem(
        item_id="QA#x", subject_id=1, family="value_at_time", question="?", answer_type="number", analyte="x",
        expected="answer", gold_text=values[0], gold_number=None, gold_unit=unit, tolerance=None, options=[],
        evidence_eids=eids, evidence_values=values, evidence_admission_indexes=[1] * len(values),
        asked_after_index=1, admission_distance=0, sample_rank=1,
    )  # fmt: skip


def turn(text: str, *eids: str, turn_id: int = 1) -> dict:
    return {"turn_id": turn_id, "speaker": "RESIDENT", "relative_time": "H+01:00", "text": text,
            "evidence_eids": list(eids), "admission_index": 1}  # fmt: skip


def test_the_checker_agrees_with_the_hand_checked_sample_of_50_items():
    records = json.loads(HAND_CHECKED.read_text())["items"]
    assert len(records) == 50
    with SYNONYM_SEED.open(encoding="utf-8") as handle:
        seed = {row["term"].lower(): row["canonical"].lower() for row in csv.DictReader(handle)}
    disagreements = [
        r["item"]["item_id"]
        for r in records
        if (said_turns(QaItem(**r["item"]), conversations_of(r["turns"]), seed) is not None)
        != (r["hand_verdict"] == "said")
    ]
    assert disagreements == []
    assert sum(r["hand_verdict"] == "said" for r in records) == 20


@pytest.mark.parametrize(
    ("text", "value", "unit", "said"),
    [
        ("Your Potassium result of 4.1 mEq/L came back.", "4.1", "mEq/L", True),
        ("Your Potassium result of 4.1 mmol/L came back.", "4.1", "mEq/L", True),
        ("Your Potassium result of 4.1 mg/dL came back.", "4.1", "mEq/L", False),
        ("Your creatinine was 1.2 today.", "1.23", "mg/dL", True),
        ("Your creatinine was 1.3 today.", "1.23", "mg/dL", False),
        ("Your sodium is 131.", "131.0", "mEq/L", True),
        ("Your sodium is 1310.", "131.0", "mEq/L", False),
        ("Your MCV result of 99 fL came back.", "99.0", "fL", True),
    ],
)
def test_a_number_is_stated_when_written_rounded_in_a_compatible_unit(text, value, unit, said):
    assert (said_turns(item([value], unit), conversations_of([turn(text, "LAB#0")]), {}) is not None) is said


def test_a_value_stated_in_a_turn_that_does_not_cite_the_row_is_not_said():
    conversations = conversations_of([turn("Your sodium is 131.", "LAB#9"), turn("Okay.", "LAB#0", turn_id=2)])
    assert said_turns(item(["131.0"]), conversations, {}) is None


def test_names_match_through_synonyms_and_every_evidence_row_must_be_said():
    grew = turn("The blood culture grew E. coli.", "MICRO#1")
    assert said_turns(item(["ESCHERICHIA COLI"], eids=["MICRO#1"]), conversations_of([grew]), SYNONYMS) is not None
    started = turn("We are starting Zosyn 4.5 g IV.", "RX#1", turn_id=2)
    both = item(["Piperacillin-Tazobactam", "Vancomycin"], eids=["RX#1", "RX#2"])
    assert said_turns(both, conversations_of([grew, started]), SYNONYMS) is None
    assert said_turns(item(["Piperacillin-Tazobactam"], eids=["RX#1"]), conversations_of([started]), SYNONYMS)
