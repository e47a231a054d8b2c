"""`mimicbench qa score`: typed, deterministic verdicts per result, and rates by group with bootstrap intervals.

An answer counts as an abstention when `not_documented` is set (or its text says "not documented"). On items
expected to be answered: accuracy (abstaining is wrong). On every item: abstention precision (abstentions on
not-documented items over all abstentions) and recall (over all not-documented items). On not-documented items:
the hallucination rate (an answer given). Results without an answer (an error, an invalid answer) are left
out of the rates and counted apart.
"""

import re
from collections import defaultdict
from collections.abc import Mapping

from pydantic import BaseModel

from generator.cdm.intervals import RESAMPLES, bootstrap_intervals
from generator.qa.items import BenchItem
from generator.qa.normalize import canonical_name, stated_numbers
from generator.qa.runner import QaResult

NOT_DOCUMENTED = re.compile(r"\b(not documented|not stated|not mentioned|unknown|no record)\b", re.I)
METRICS = ("accuracy", "abstention_precision", "abstention_recall", "hallucination_rate")
DEPTH_BINS = ((0.25, "0-25%"), (0.5, "25-50%"), (0.75, "50-75%"), (1.01, "75-100%"))


class Verdict(BaseModel):
    item_id: str
    bucket: str
    expected: str
    abstained: bool
    correct: bool


class GroupScore(BaseModel):
    group: str
    n: int
    n_answerable: int
    n_not_documented: int
    rates: dict[str, float | None]
    intervals: dict[str, tuple[float, float] | None]


class QaScores(BaseModel):
    scored: int
    unanswered: int
    groups: list[GroupScore]
    verdicts: list[Verdict]


def verdict(result: QaResult, synonyms: Mapping[str, str]) -> Verdict:
    """Abstained, and correct (an answerable item matched; a not-documented item abstained on)."""
    assert result.answer is not None
    item, answer = result.item, result.answer
    abstained = answer.not_documented or not answer.answer.strip() or bool(NOT_DOCUMENTED.search(answer.answer))
    if item.expected == "not_documented":
        correct = abstained
    else:
        correct = not abstained and matches(item, answer.answer, synonyms)
    return Verdict(
        item_id=item.item_id, bucket=item.bucket, expected=item.expected, abstained=abstained, correct=correct
    )


def matches(item: BenchItem, text: str, synonyms: Mapping[str, str]) -> bool:
    """Numbers within the item's tolerance (the first number stated); counts and admission numbers exactly; a
    direction, choice or category by name after synonyms (a choice must name one option only)."""
    if item.answer_type in ("number", "count", "admission"):
        numbers = stated_numbers(text)
        assert item.gold_number is not None
        return bool(numbers) and abs(numbers[0][0] - item.gold_number) <= (item.tolerance or 0) + 1e-9
    said = canonical_name(text, synonyms)
    gold = canonical_name(item.gold_text or "", synonyms)
    if item.options:
        named = [o for o in item.options if _names(said, canonical_name(o, synonyms))]
        return len(named) == 1 and canonical_name(named[0], synonyms) == gold
    return _names(said, gold)


def _names(text: str, name: str) -> bool:
    return bool(name) and re.search(rf"\b{re.escape(name)}\b", text) is not None


def score_results(
    results: list[QaResult], synonyms: Mapping[str, str], *, resamples: int = RESAMPLES, seed: int = 0
) -> QaScores:
    """Verdicts for every answered result; rates overall and by family, bucket, source, depth and distance."""
    answered = [r for r in results if r.answer is not None]
    verdicts = [verdict(r, synonyms) for r in answered]
    groups: dict[str, list[Verdict]] = defaultdict(list)
    for result, one in zip(answered, verdicts, strict=True):
        for name in _groups(result.item):
            groups[name].append(one)
    scores = [_group_score(name, members, resamples, seed) for name, members in sorted(groups.items())]
    return QaScores(scored=len(verdicts), unanswered=len(results) - len(answered), groups=scores, verdicts=verdicts)


def _groups(item: BenchItem) -> list[str]:
    depth = None
    if item.evidence_depth is not None:
        depth = next(label for limit, label in DEPTH_BINS if item.evidence_depth < limit)
    distance = "3+" if item.admission_distance >= 3 else str(item.admission_distance)
    names = ["all", f"family={item.family}", f"bucket={item.bucket}", f"source={item.source}"]
    names.append(f"distance={distance}")
    if depth:
        names.append(f"depth={depth}")
    return names


def _group_score(name: str, members: list[Verdict], resamples: int, seed: int) -> GroupScore:
    series: dict[str, list[float | None]] = {metric: [] for metric in METRICS}
    for v in members:
        answerable = v.expected == "answer"
        series["accuracy"].append(float(v.correct) if answerable else None)
        series["abstention_precision"].append(float(not answerable) if v.abstained else None)
        series["abstention_recall"].append(None if answerable else float(v.abstained))
        series["hallucination_rate"].append(None if answerable else float(not v.abstained))
    rates = {metric: _mean(values) for metric, values in series.items()}
    intervals = bootstrap_intervals(series, key=name, seed=seed, resamples=resamples)
    return GroupScore(
        group=name,
        n=len(members),
        n_answerable=sum(v.expected == "answer" for v in members),
        n_not_documented=sum(v.expected != "answer" for v in members),
        rates=rates,
        intervals=intervals,
    )


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 4) if present else None


def render_table(scores: QaScores) -> str:
    """One line per group: counts, then each rate with its interval."""
    lines = [f"{scores.scored} results scored ({scores.unanswered} without an answer left out)"]
    header = f"{'group':<34} {'n':>5} {'ans':>5} {'n/d':>5}  " + "  ".join(f"{m:<24}" for m in METRICS)
    lines.append(header)
    for group in scores.groups:
        cells = []
        for metric in METRICS:
            rate, interval = group.rates[metric], group.intervals[metric]
            cell = (
                "-" if rate is None else f"{rate:.3f}" + (f" [{interval[0]:.2f},{interval[1]:.2f}]" if interval else "")
            )
            cells.append(f"{cell:<24}")
        lines.append(
            f"{group.group:<34} {group.n:>5} {group.n_answerable:>5} {group.n_not_documented:>5}  " + "  ".join(cells)
        )
    return "\n".join(lines)
