"""The run page: `run_report.json` (counts, failure kinds, latency, validation), with histograms over the admissions'
own records (model latency, tokens, grounding score) and the slowest and failed admissions linked."""

from collections import Counter
from typing import Any

from generator.view.charts import Bar, bars, histogram
from generator.view.html import badge, esc, number, percent, seconds, stat, table, values, when
from generator.view.load import AdmissionEntry

SLOWEST = 10


def render(report: dict[str, Any] | None, entries: list[AdmissionEntry]) -> str:
    parts = ['<p class="crumbs"><a href="index.html">index</a></p>']
    if report is None:
        parts.append(
            '<h1>Run</h1><p class="sub">No <code>run_report.json</code> in this output root (it is written by '
            "<code>generate-cohort</code>; shards' reports are joined by <code>mimicbench report merge</code>); "
            "the figures below come from the admissions' own records.</p>"
        )
    else:
        parts.append(_summary(report))
    parts += [_failures(report, entries), _latency(report, entries), _tokens(entries), _validation(report, entries)]
    parts.append(_slowest(entries))
    return "\n".join(parts)


def _summary(report: dict[str, Any]) -> str:
    admissions, patients, tokens = report.get("admissions", {}), report.get("patients", {}), report.get("tokens", {})
    cost = report.get("estimated_cost_usd")
    figures = [
        stat("admissions planned", number(admissions.get("planned"))),
        stat("completed", number(admissions.get("completed"))),
        stat("failed", number(admissions.get("failed"))),
        stat("up to date, skipped", number(admissions.get("skipped_up_to_date"))),
        stat("not started", number(admissions.get("not_started"))),
        stat("patients", number(patients.get("planned")), f"{number(patients.get('skipped'))} skipped"),
        stat("tokens in / out", f"{number(tokens.get('input'))} / {number(tokens.get('output'))}"),
        stat("requests", number((report.get("requests") or {}).get("total"))),
        stat("estimated cost", "–" if cost is None else f"${cost:,.2f}"),
    ]
    skipped = report.get("patients_skipped") or []
    skipped_list = "".join(f"<li>{esc(p.get('subject_id'))}: {esc(p.get('reason'))}</li>" for p in skipped)
    return (
        f"<h1>Run {badge(report.get('status', '?'))}</h1>"
        f'<p class="sub">{esc(report.get("message"))} · started {esc(when(report.get("started_at_utc")))} UTC · '
        f"{seconds(report.get('wall_s'))} wall time</p>"
        f'<div class="stats">{"".join(figures)}</div>'
        + (
            f"<details class='panel'><summary>Patients skipped</summary><ul>{skipped_list}</ul></details>"
            if skipped
            else ""
        )
        + f"<details class='panel'><summary>Settings</summary>{values(report.get('settings'))}"
        f"<h3>Concurrency</h3>{values(report.get('concurrency'))}</details>"
    )


def _failures(report: dict[str, Any] | None, entries: list[AdmissionEntry]) -> str:
    failed = [e for e in entries if e.status == "failed"]
    kinds = (report or {}).get("failures", {}).get("by_kind") or Counter(e.error_kind or "unknown" for e in failed)
    chart = bars([Bar(k, v, tone="bad") for k, v in kinds.items()], x_label="failure kind", y_label="admissions")
    rows = [
        [
            f'<a href="admissions/{e.hadm_id}.html">{e.hadm_id}</a>',
            f'<a href="patients/{e.subject_id}.html">{e.subject_id}</a>',
            esc(e.error_kind),
            esc(e.error),
        ]
        for e in failed
    ]
    listed = table(["admission", "subject", "kind", "error"], rows) if rows else '<p class="empty">None failed.</p>'
    return (
        f'<h2 id="failed">Failed admissions ({len(failed)})</h2>'
        f'<div class="two-up"><div>{chart}</div><div>{listed}</div></div>'
    )


def _latency(report: dict[str, Any] | None, entries: list[AdmissionEntry]) -> str:
    latency = (report or {}).get("latency") or {}
    names = {"admission_s": "admission wall time (s)", "request_ms": "request (ms)", "overhead_s": "overhead (s)"}
    quantiles = ["p50", "p90", "p95", "p99", "max"]
    rows = [
        [esc(names.get(k, k)), *(number(v.get(q), 0 if k.endswith("_ms") else 3) for q in quantiles)]
        for k, v in latency.items()
        if v
    ]
    statuses = ((report or {}).get("requests") or {}).get("by_http_status") or {}
    status_table = table(["HTTP status", "requests"], [[esc(k), number(v)] for k, v in statuses.items()])
    model = [e.figures.model_s for e in entries if e.figures.requests]
    chart = histogram(model, x_label="model latency per admission (s, requests summed)", fmt=lambda v: f"{v:.2f}")
    quantile_table = table(["latency", *quantiles], rows, cls="numeric") if rows else ""
    return (
        f'<h2>Latency</h2><div class="two-up"><div>{chart}</div><div>{quantile_table}'
        f"{status_table if statuses else ''}</div></div>"
    )


def _tokens(entries: list[AdmissionEntry]) -> str:
    with_requests = [e for e in entries if e.figures.requests]
    inputs = [e.figures.input_tokens for e in with_requests]
    outputs = [e.figures.output_tokens for e in with_requests]
    return (
        '<h2>Tokens per admission</h2><div class="two-up">'
        f"<div>{histogram(inputs, x_label='input tokens per admission', fmt=lambda v: f'{v:,.0f}')}</div>"
        f"<div>{histogram(outputs, x_label='output tokens per admission', fmt=lambda v: f'{v:,.0f}')}</div></div>"
    )


def _validation(report: dict[str, Any] | None, entries: list[AdmissionEntry]) -> str:
    validation = (report or {}).get("validation") or {}
    rounds = validation.get("rounds_histogram") or dict(sorted(Counter(str(e.figures.rounds) for e in entries).items()))
    rounds_chart = bars([Bar(k, v) for k, v in rounds.items()], x_label="rounds per admission", y_label="admissions")
    scores = [e.grounding_score for e in entries if e.grounding_score is not None]
    score_chart = histogram(scores, x_label="grounding score per admission", fmt=lambda v: f"{v:.0%}", bins=10)
    figures = [
        stat("answers checked", number(validation.get("answers_checked"))),
        stat("valid on first answer", number(validation.get("valid_on_first_answer"))),
        stat("valid after repair", number(validation.get("valid_after_repair"))),
        stat("never valid", number(validation.get("never_valid"))),
        stat(
            "numbers grounded",
            percent(validation.get("grounding_rate")),
            f"{number(validation.get('numbers_grounded'))} of {number(validation.get('numbers_stated'))}",
        ),
    ]
    return (
        f'<h2>Validation and grounding</h2><div class="stats">{"".join(figures) if validation else ""}</div>'
        f'<div class="two-up"><div>{rounds_chart}</div><div>{score_chart}</div></div>'
    )


def _slowest(entries: list[AdmissionEntry]) -> str:
    slowest = sorted((e for e in entries if e.figures.requests), key=lambda e: -e.figures.model_s)[:SLOWEST]
    rows = [
        [
            f'<a href="admissions/{e.hadm_id}.html">{e.hadm_id}</a>',
            f'<a href="patients/{e.subject_id}.html">{e.subject_id}</a>',
            badge(e.status),
            seconds(e.figures.model_s),
            number(e.figures.requests),
            number(e.figures.input_tokens + e.figures.output_tokens),
        ]
        for e in slowest
    ]
    body = table(["admission", "subject", "status", "model latency", "requests", "tokens"], rows, cls="numeric")
    return f"<h2>Slowest admissions</h2>{body if rows else '<p class=empty>No model requests in this output root.</p>'}"
