"""The CDM pages: the rubric's scores per pathology (through `cdm score`'s own function) with their intervals
and a chart, a table of cases, and one page per case with its trace beside its ground truth and verdicts."""

from pathlib import Path
from typing import Any

from generator.cdm import CdmError
from generator.cdm.runner import read_results
from generator.cdm.scoring import score_results
from generator.view import ViewError
from generator.view.charts import Bar, bars
from generator.view.html import badge, esc, page, table
from generator.view.pages.cdm_case import render_case

LABELS = {
    "diagnosis": "diagnosis",
    "lenient_diagnosis": "diagnosis (lenient)",
    "physical_exam_first": "exam first",
    "physical_exam_any": "exam at all",
    "lab_categories": "lab categories",
    "imaging": "imaging (0 to 2)",
    "treatment_recall": "treatment recall",
}
SCALE = {"imaging": 2.0}
MEAN_KEYS = ("mean", "value", "estimate")
LOW_KEYS = ("low", "lower", "lo", "ci_low", "ci_lower")
HIGH_KEYS = ("high", "upper", "hi", "ci_high", "ci_upper")


def write_pages(results_path: Path, folder: Path, links: dict[str, str]) -> int:
    """`cdm.html` and `cdm/<hadm_id>.html` in `folder`; the number of cases."""
    try:
        results = read_results(results_path)
        report = score_results(results).model_dump(mode="json")
    except CdmError as error:
        raise ViewError(str(error)) from error
    by_hadm = {r.hadm_id: r.model_dump(mode="json") for r in results}
    for case in report["cases"]:
        body = render_case(by_hadm[case["hadm_id"]], case)
        (folder / "cdm").mkdir(parents=True, exist_ok=True)
        html = page(f"CDM case {case['hadm_id']}", body, depth=1, data_origin=None, links=links)
        (folder / "cdm" / f"{case['hadm_id']}.html").write_text(html, encoding="utf-8")
    first = results[0] if results else None
    body = _overview(report, results_path, first.run.model_dump() if first else {}, first.endpoint if first else None)
    (folder / "cdm.html").write_text(page("CDM", body, depth=0, data_origin=None, links=links), encoding="utf-8")
    return len(report["cases"])


def estimate(group: dict[str, Any], metric: str) -> tuple[float | None, float | None, float | None]:
    """A metric's mean and, when the scores carry one, its interval.

    Intervals are read where `cdm score` may put them: a mapping per metric in the group (`{"low", "high"}` or a
    pair) under any key, or the mean itself as a mapping with its interval.
    """
    mean = group.get("means", {}).get(metric)
    if isinstance(mean, dict):
        value = next((mean[k] for k in MEAN_KEYS if k in mean), None)
        return value, *_pair(mean)
    for key, holder in group.items():
        if key != "means" and isinstance(holder, dict) and metric in holder:
            low, high = _pair(holder[metric])
            if low is not None:
                return mean, low, high
    return mean, None, None


def _pair(value: Any) -> tuple[float | None, float | None]:
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, int | float) for v in value):
        return float(value[0]), float(value[1])
    if isinstance(value, dict):
        low = next((value[k] for k in LOW_KEYS if isinstance(value.get(k), int | float)), None)
        high = next((value[k] for k in HIGH_KEYS if isinstance(value.get(k), int | float)), None)
        if low is not None and high is not None:
            return float(low), float(high)
    return None, None


def _overview(report: dict[str, Any], path: Path, run: dict[str, Any], endpoint: str | None) -> str:
    groups = {**report["per_pathology"], "overall": report["overall"]}
    metrics = list(report["overall"]["means"])
    rows = []
    for name, group in groups.items():
        cells = [esc(name), str(group.get("n")), str(group.get("completed"))]
        for metric in metrics:
            value, low, high = estimate(group, metric)
            interval = f" <small>[{low:.2f}, {high:.2f}]</small>" if low is not None else ""
            cells.append("–" if value is None else f"{value:.3f}{interval}")
        rows.append(cells)
    score_table = table(["pathology", "n", "ok", *(LABELS.get(m, m) for m in metrics)], rows, cls="numeric scores")
    has_intervals = any(estimate(g, m)[1] is not None for g in groups.values() for m in metrics)
    note = "Brackets: the interval `cdm score` reports." if has_intervals else "These scores carry no intervals."
    charts = "".join(_chart(groups, metric) for metric in metrics)
    run_text = ", ".join(f"{k} {v}" for k, v in run.items() if v is not None)
    cases = sorted(report["cases"], key=lambda c: (c["pathology"], c["hadm_id"]))
    return (
        '<p class="crumbs"><a href="index.html">index</a></p><h1>CDM results</h1>'
        f'<p class="sub"><code>{esc(path)}</code> · {esc(run_text)} · endpoint {esc(endpoint)} · '
        f"{len(report['cases'])} cases scored with the rubric of <code>mimicbench cdm score</code></p>"
        f'<h2>Scores per pathology</h2>{score_table}<p class="hint">{esc(note)}</p>'
        f'<div class="multiples">{charts}</div>'
        f"<h2>Cases</h2>{_cases(cases, metrics)}"
    )


def _chart(groups: dict[str, dict[str, Any]], metric: str) -> str:
    items = []
    for i, (name, group) in enumerate(groups.items()):
        value, low, high = estimate(group, metric)
        if value is not None:
            tone = "overall" if name == "overall" else f"p{i}"
            items.append(Bar(name, value, low, high, tone))
    if not items:
        return ""
    chart = bars(items, x_label=LABELS.get(metric, metric), y_label="mean", top=SCALE.get(metric, 1.0))
    return f"<figure>{chart}</figure>"


def _cases(cases: list[dict[str, Any]], metrics: list[str]) -> str:
    rows = []
    for case in cases:
        cells = [f'<a href="cdm/{case["hadm_id"]}.html">{case["hadm_id"]}</a>', esc(case["pathology"])]
        cells.append(badge(case["status"]))
        cells += [_verdict(case.get(m), SCALE.get(m, 1.0)) for m in metrics]
        cells.append(str(case.get("tool_calls")))
        rows.append(cells)
    headers = ["case", "pathology", "status", *(LABELS.get(m, m) for m in metrics), "tool calls"]
    return table(headers, rows, cls="numeric cases")


def _verdict(value: float | None, full: float) -> str:
    if value is None:
        return '<span class="na">–</span>'
    tone = "good" if value >= full else "bad" if value == 0 else "part"
    return f'<span class="verdict {tone}">{value:g}</span>'
