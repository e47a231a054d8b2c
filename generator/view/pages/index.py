"""The index: every admission in one table, searchable by subject or admission id, with the report's other pages."""

from generator.view.html import badge, esc, number, percent, seconds, stat, when
from generator.view.load import AdmissionEntry


def render(entries: list[AdmissionEntry], *, output_root: str, cdm: bool) -> str:
    patients = len({e.subject_id for e in entries})
    failed = sum(e.status == "failed" for e in entries)
    tokens = sum(e.figures.input_tokens + e.figures.output_tokens for e in entries)
    pages = '<a href="run.html">run</a>' + (' · <a href="cdm.html">CDM results</a>' if cdm else "")
    rows = "".join(_row(e) for e in entries)
    return (
        f"<h1>Output root <code>{esc(output_root)}</code></h1>"
        f'<p class="sub">Pages: {pages}</p>'
        '<div class="stats">'
        + stat("patients", number(patients))
        + stat("admissions", number(len(entries)))
        + stat("completed", number(len(entries) - failed))
        + stat("failed", number(failed))
        + stat("tokens", number(tokens))
        + "</div>"
        '<div class="search"><input id="search" type="search" autocomplete="off" autofocus '
        'placeholder="Search by subject id or admission (hadm) id" aria-label="search">'
        '<select id="status-filter" aria-label="status"><option value="">any status</option>'
        '<option value="completed">completed</option><option value="failed">failed</option></select>'
        f'<span id="shown">{len(entries)} shown</span></div>'
        '<table class="index numeric"><thead><tr><th>subject</th><th>admission</th><th>admitted</th>'
        "<th>status</th><th>first coded diagnosis</th><th>model</th><th>turns</th><th>rounds</th><th>grounding</th>"
        f"<th>tokens</th><th>model latency</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _row(entry: AdmissionEntry) -> str:
    figures = entry.figures
    return (
        f'<tr data-key="{entry.subject_id} {entry.hadm_id}" data-status="{esc(entry.status)}">'
        f'<td><a href="patients/{entry.subject_id}.html">{entry.subject_id}</a></td>'
        f'<td><a href="admissions/{entry.hadm_id}.html">{entry.hadm_id}</a></td>'
        f"<td>{esc(when(entry.admittime))}</td><td>{badge(entry.status)}</td>"
        f'<td class="dx">{esc(entry.first_diagnosis or "–")}</td><td>{esc(entry.model)}</td>'
        f"<td>{number(entry.turns)}</td><td>{figures.rounds}</td><td>{percent(entry.grounding_score)}</td>"
        f"<td>{number(figures.input_tokens + figures.output_tokens)}</td><td>{seconds(figures.model_s)}</td></tr>"
    )
