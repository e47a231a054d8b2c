"""`mimicbench cdm score`: a rubric applied to each result line, then means with bootstrap intervals per
pathology and overall; `compare_results` gives paired differences between two runs on the same cases.

`score_table` is the one entry point for anything that shows scores (the CLI, a viewer): it returns the
table with its intervals. Each group's mean of a metric is over the cases that have it (null when none do).
"""

from pydantic import BaseModel

from generator.cdm.case import PATHOLOGIES
from generator.cdm.intervals import CONFIDENCE, RESAMPLES, bootstrap_intervals
from generator.cdm.rubrics import RUBRICS
from generator.cdm.rubrics.case_score import METRICS, CaseScore, RubricName
from generator.cdm.runner import CaseResult

OVERALL = "overall"


class MetricSummary(BaseModel):
    """A metric's mean over `n` cases and its bootstrap interval."""

    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None


class GroupScore(BaseModel):
    n: int
    completed: int
    metrics: dict[str, MetricSummary]


class ScoreReport(BaseModel):
    rubric: RubricName
    confidence: float
    resamples: int
    seed: int
    per_pathology: dict[str, GroupScore]
    overall: GroupScore
    cases: list[CaseScore]

    def groups(self) -> dict[str, GroupScore]:
        return {**self.per_pathology, OVERALL: self.overall}


class Difference(BaseModel):
    """B minus A over the cases both runs scored on the metric, with the bootstrap interval of the mean."""

    n_pairs: int
    mean_a: float | None
    mean_b: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None


class ComparisonReport(BaseModel):
    rubric: RubricName
    confidence: float
    resamples: int
    seed: int
    groups: dict[str, dict[str, Difference]]


def score_cases(results: list[CaseResult], rubric: RubricName) -> list[CaseScore]:
    """Each result with a pathology, scored by `rubric`."""
    return [RUBRICS[rubric](result) for result in results if result.pathology]


def score_table(
    results: list[CaseResult], rubric: RubricName = "mimicbench", *, resamples: int = RESAMPLES, seed: int = 0
) -> ScoreReport:
    """Per-pathology and overall means of every metric with `CONFIDENCE` bootstrap intervals.

    Cases are taken in admission order, so the intervals do not depend on the order the results were written in
    (concurrent cases finish in any order; shards write separate files)."""
    cases = score_cases(sorted(results, key=lambda result: result.hadm_id), rubric)
    per_pathology = {p: [c for c in cases if c.pathology == p] for p in PATHOLOGIES}
    return ScoreReport(
        rubric=rubric,
        confidence=CONFIDENCE,
        resamples=resamples,
        seed=seed,
        per_pathology={p: _group(p, group, resamples, seed) for p, group in per_pathology.items() if group},
        overall=_group(OVERALL, cases, resamples, seed),
        cases=cases,
    )


def compare_results(
    a: list[CaseResult],
    b: list[CaseResult],
    rubric: RubricName = "mimicbench",
    *,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> ComparisonReport:
    """Paired differences B - A per pathology and overall, over admissions both runs hold."""
    scores_a = {c.hadm_id: c for c in score_cases(a, rubric)}
    scores_b = {c.hadm_id: c for c in score_cases(b, rubric)}
    shared = [(scores_a[h], scores_b[h]) for h in sorted(scores_a.keys() & scores_b.keys())]
    groups = {p: [pair for pair in shared if pair[0].pathology == p] for p in PATHOLOGIES}
    table = {p: _differences(p, pairs, resamples, seed) for p, pairs in groups.items() if pairs}
    table[OVERALL] = _differences(OVERALL, shared, resamples, seed)
    return ComparisonReport(rubric=rubric, confidence=CONFIDENCE, resamples=resamples, seed=seed, groups=table)


def _group(name: str, cases: list[CaseScore], resamples: int, seed: int) -> GroupScore:
    series = {metric: [getattr(c, metric) for c in cases] for metric in METRICS}
    intervals = bootstrap_intervals(series, key=name, seed=seed, resamples=resamples)
    metrics = {}
    for metric, values in series.items():
        present = [v for v in values if v is not None]
        interval = intervals[metric]
        metrics[metric] = MetricSummary(
            n=len(present),
            mean=_round(sum(present) / len(present)) if present else None,
            ci_low=_round(interval[0]) if interval else None,
            ci_high=_round(interval[1]) if interval else None,
        )
    return GroupScore(n=len(cases), completed=sum(c.status == "ok" for c in cases), metrics=metrics)


def _differences(
    name: str, pairs: list[tuple[CaseScore, CaseScore]], resamples: int, seed: int
) -> dict[str, Difference]:
    both = {metric: [(getattr(a, metric), getattr(b, metric)) for a, b in pairs] for metric in METRICS}
    diffs = {metric: [None if a is None or b is None else b - a for a, b in values] for metric, values in both.items()}
    intervals = bootstrap_intervals(diffs, key=f"{name}:difference", seed=seed, resamples=resamples)
    table = {}
    for metric, values in both.items():
        paired = [(a, b) for a, b in values if a is not None and b is not None]
        interval = intervals[metric]
        if not paired or interval is None:
            table[metric] = Difference(n_pairs=0, mean_a=None, mean_b=None, difference=None, ci_low=None, ci_high=None)
            continue
        table[metric] = Difference(
            n_pairs=len(paired),
            mean_a=_round(sum(a for a, _ in paired) / len(paired)),
            mean_b=_round(sum(b for _, b in paired) / len(paired)),
            difference=_round(sum(b - a for a, b in paired) / len(paired)),
            ci_low=_round(interval[0]),
            ci_high=_round(interval[1]),
        )
    return table


def _round(value: float) -> float:
    return round(value, 4)


def score_rows(report: ScoreReport) -> list[dict[str, object]]:
    """The table as flat rows (one per group and metric), as the CSV holds it."""
    return [
        {"rubric": report.rubric, "group": name, "metric": metric, **summary.model_dump()}
        for name, group in report.groups().items()
        for metric, summary in group.metrics.items()
    ]


def comparison_rows(report: ComparisonReport) -> list[dict[str, object]]:
    return [
        {"rubric": report.rubric, "group": name, "metric": metric, **difference.model_dump()}
        for name, metrics in report.groups.items()
        for metric, difference in metrics.items()
    ]


def render_table(report: ScoreReport) -> str:
    """Metrics down, groups across; each cell the mean and its interval."""
    groups = report.groups()
    header = ["metric", *(f"{name} (n={group.n})" for name, group in groups.items())]
    lines = [header, ["completed", *(str(group.completed) for group in groups.values())]]
    for metric in METRICS:
        lines.append([metric, *(_cell(group.metrics[metric]) for group in groups.values())])
    title = f"rubric {report.rubric}: means with {report.confidence:.0%} bootstrap intervals"
    return title + "\n" + _align(lines)


def render_comparison(report: ComparisonReport) -> str:
    """Metrics down, groups across; each cell B - A and its interval."""
    header = ["metric", *report.groups]
    lines = [header]
    for metric in METRICS:
        lines.append([metric, *(_difference_cell(report.groups[name][metric]) for name in report.groups)])
    title = f"rubric {report.rubric}: B - A over shared cases with {report.confidence:.0%} bootstrap intervals"
    return title + "\n" + _align(lines)


def _align(lines: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def _cell(summary: MetricSummary) -> str:
    if summary.mean is None:
        return "-"
    return f"{summary.mean:.3f} [{summary.ci_low:.3f}, {summary.ci_high:.3f}]"


def _difference_cell(difference: Difference) -> str:
    if difference.difference is None:
        return "-"
    return (
        f"{difference.difference:+.3f} [{difference.ci_low:+.3f}, {difference.ci_high:+.3f}] (n={difference.n_pairs})"
    )
