"""The CDM pages: the rubric's scores per pathology (through `cdm score`'s own function) with their intervals
and a chart, a table of cases, and one page per case with its trace beside its ground truth and verdicts."""

from pathlib import Path
from typing import Any

from generator.cdm import CdmError, scoring
from generator.cdm.runner import read_results
from generator.view import ViewError
from generator.view.charts import Bar, bars
from generator.view.html import badge, esc, page, table
from generator.view.pages.cdm_case import LABELS, label, render_case

SCALE = {"imaging": 2.0}


def write_pages(results_path: Path, folder: Path, links: dict[str, str]) -> int:
    """`cdm.html` and `cdm/<hadm_id>.html` in `folder`; the number of cases."""
    try:
        results = read_results(results_path)
        report = scoring.score_table(results).model_dump(mode="json")
    except CdmError as error:
        raise ViewError(str(error)) from error
    metrics = list(_per_metric(report["overall"]))
    by_hadm = {r.hadm_id: r.model_dump(mode="json") for r in results}
    (folder / "cdm").mkdir(parents=True, exist_ok=True)
    for case in report["cases"]:
        body = render_case(by_hadm[case["hadm_id"]], case, metrics)
        html = page(f"CDM case {case['hadm_id']}", body, depth=1, data_origin=None, links=links)
        (folder / "cdm" / f"{case['hadm_id']}.html").write_text(html, encoding="utf-8")
    first = results[0] if results else None
    body = _overview(report, results_path, first.run.model_dump() if first else {}, first.endpoint if first else None)
    (folder / "cdm.html").write_text(page("CDM", body, depth=0, data_origin=None, links=links), encoding="utf-8")
    return len(report["cases"])


def estimate(group: dict[str, Any], metric: str) -> tuple[float | None, float | None, float | None]:
    """A group's mean of a metric and its interval (None where the group has no value)."""
    value = _per_metric(group).get(metric) or {}
    return value.get("mean"), value.get("ci_low"), value.get("ci_high")


def _per_metric(group: dict[str, Any]) -> dict[str, Any]:
    """metric -> {n, mean, ci_low, ci_high}."""
    return group.get("metrics") or {}


def _overview(report: dict[str, Any], path: Path, run: dict[str, Any], endpoint: str | None) -> str:
    groups = {**report["per_pathology"], "overall": report["overall"]}
    metrics = list(_per_metric(report["overall"]))
    rows = []
    for name, group in groups.items():
        cells = [esc(name), str(group.get("n")), str(group.get("completed"))]
        for metric in metrics:
            value, low, high = estimate(group, metric)
            interval = f" <small>[{low:.2f}, {high:.2f}]</small>" if low is not None else ""
            cells.append("–" if value is None else f"{value:.3f}{interval}")
        rows.append(cells)
    score_table = table(["pathology", "n", "ok", *map(label, metrics)], rows, cls="numeric scores")
    has_intervals = any(estimate(g, m)[1] is not None for g in groups.values() for m in metrics)
    level = f"{report['confidence']:.0%} " if report.get("confidence") else ""
    note = f"In brackets: the {level}intervals of cdm score." if has_intervals else "These scores carry no intervals."
    charts = "".join(_chart(groups, metric) for metric in metrics)
    run_text = ", ".join(f"{k} {v}" for k, v in run.items() if v is not None)
    cases = sorted(report["cases"], key=lambda c: (c["pathology"], c["hadm_id"]))
    return (
        '<p class="crumbs"><a href="index.html">index</a></p><h1>CDM results</h1>'
        f'<p class="sub"><code>{esc(path)}</code> · {esc(run_text)} · endpoint {esc(endpoint)} · '
        f"{len(report['cases'])} cases scored by <code>mimicbench cdm score</code> "
        f"(rubric {esc(report.get('rubric', 'mimicbench'))})</p>"
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
    top = max(SCALE.get(metric, 1.0), *(b.value if b.high is None else b.high for b in items))
    chart = bars(items, x_label=label(metric), y_label="mean", top=top)
    return f"<figure>{chart}</figure>"


def _cases(cases: list[dict[str, Any]], metrics: list[str]) -> str:
    rows = []
    for case in cases:
        cells = [f'<a href="cdm/{case["hadm_id"]}.html">{case["hadm_id"]}</a>', esc(case["pathology"])]
        cells.append(badge(case["status"]))
        cells += [_verdict(m, case.get(m)) for m in metrics]
        cells.append(str(case.get("tool_calls")))
        rows.append(cells)
    headers = ["case", "pathology", "status", *map(label, metrics), "tool calls"]
    return table(headers, rows, cls="numeric cases")


def _verdict(metric: str, value: float | None) -> str:
    """The case's score, green when full marks, red when none (for the metrics where more is better)."""
    if value is None:
        return '<span class="na">–</span>'
    if metric not in LABELS:
        return f"{value:g}"
    tone = "good" if value >= SCALE.get(metric, 1.0) else "bad" if value == 0 else "part"
    return f'<span class="verdict {tone}">{value:g}</span>'
