"""Typed verdicts: numbers within tolerance, exact counts, one option named, names after synonyms, abstentions."""

import pytest

from generator.qa.items import BenchItem
from generator.qa.runner import QaAnswer, QaResult, QaRunConfig
from generator.qa.scoring import score_results, verdict

SYNONYMS = {"e. coli": "escherichia coli"}
RUN = QaRunConfig(model="m", mode="context", temperature=0.0, seed=None, max_output_tokens=256, context_window=None)


def bench_item(answer_type: str, gold_text: str | None, **fields) -> BenchItem:
    values = {
        "item_id": "QA#x", "subject_id": 1, "family": "value_at_time", "question": "?", "answer_type": answer_type,
        "analyte": None, "expected": "answer" if gold_text is not None else "not_documented", "gold_text": gold_text,
        "gold_number": None, "gold_unit": None, "tolerance": None, "options": [], "evidence_eids": [],
        "evidence_values": [], "evidence_admission_indexes": [], "asked_after_index": 1, "admission_distance": 0,
        "sample_rank": 1, "source": "record", "said_turns": [], "bucket": "8k", "context_id": "C1-1-8k",
        "evidence_depth": 0.5,
    }  # fmt: skip
    return BenchItem(**(values | fields))


def result(item: BenchItem, answer: str, not_documented: bool = False) -> QaResult:
    return QaResult(
        item=item, item_sha256="0", run=RUN, endpoint="http://127.0.0.1", mimicbench_version="0", status="ok",
        answer=QaAnswer(answer=answer, not_documented=not_documented), attempts=[], duration_s=0.0,
    )  # fmt: skip


POTASSIUM = bench_item("number", "4.1", gold_number=4.1, tolerance=0.1, gold_unit="mEq/L")
COUNT = bench_item("count", "2", gold_number=2.0, tolerance=0.0)
TREND = bench_item("direction", "higher", options=["higher", "lower", "same"])
ORDER = bench_item("choice", "Heparin", options=["Vancomycin", "Heparin"])
ORGANISM = bench_item("category", "ESCHERICHIA COLI")
FIRST_GROWTH = bench_item("admission", "3", gold_number=3.0, tolerance=0.0)


@pytest.mark.parametrize(
    ("item", "answer", "correct"),
    [
        (POTASSIUM, "4.2 mEq/L", True),
        (POTASSIUM, "4.3", False),
        (COUNT, "2 admissions", True),
        (COUNT, "3", False),
        (TREND, "Higher", True),
        (TREND, "higher or lower", False),
        (ORDER, "heparin", True),
        (ORDER, "Vancomycin, then Heparin", False),
        (ORGANISM, "E. coli", True),
        (ORGANISM, "Klebsiella", False),
        (FIRST_GROWTH, "Admission 3", True),
        (FIRST_GROWTH, "the 2nd admission", False),
        (POTASSIUM, "not documented", False),
    ],
)
def test_an_answer_is_correct_only_when_it_matches_its_type(item, answer, correct):
    assert verdict(result(item, answer), SYNONYMS).correct is correct


def test_abstentions_and_hallucinations_are_reported_apart_from_accuracy():
    absent = bench_item("number", None, family="absent_from_record")
    results = [
        result(POTASSIUM, "4.1"),
        result(COUNT, "", not_documented=True),
        result(absent, "", not_documented=True),
        result(absent, "5.0"),
    ]
    overall = next(g for g in score_results(results, SYNONYMS, resamples=100).groups if g.group == "all")
    assert overall.rates == {
        "accuracy": 0.5,
        "abstention_precision": 0.5,
        "abstention_recall": 0.5,
        "hallucination_rate": 0.5,
    }
    low, high = overall.intervals["accuracy"]
    assert low <= 0.5 <= high and (low, high) != (0.5, 0.5)
