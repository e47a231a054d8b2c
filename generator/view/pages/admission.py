"""The admission page: the conversation beside the packet's rows, with the admission's figures and records above.

Every turn (and summary item) lists the rows it cites as `data-rows`; the report's script highlights them and
scrolls to them when the turn is selected. Rows no turn or summary item cites carry `uncited` (dimmed on request);
numbers the validator did not find in a turn's cited rows are marked.
"""

import re
from typing import Any

from generator.view.html import badge, esc, number, percent, plural, seconds, stat, table, values, when
from generator.view.load import Admission, AdmissionEntry
from generator.view.pages.citations import Citations
from generator.view.pages.packet_rows import render_rows
from generator.view.pages.rounds import rounds_section

KNOWN_PROMPT_KEYS = {"prompt_template_version", "previous_admission", "messages", "hashes"}
# A number as the validator reads one ("1,200" is 1200), not part of an H+hh:mm time or an evidence id.
_NUMBER = re.compile(r"(?<!H[+-])(?<![\d:#.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
SUMMARY_PARTS = {
    "problem_list": "Problems",
    "key_tests_and_results": "Key tests and results",
    "treatments_and_meds": "Treatments and medications",
}


def render(
    admission: Admission,
    entry: AdmissionEntry,
    *,
    files: str,
    neighbours: tuple[int | None, int | None],
    questions: dict[int, list[dict[str, Any]]] | None = None,
) -> str:
    """The page body. `files`: the admission folder relative to the page; `neighbours`: the patient's admissions
    before and after this one; `questions`: qa questions by the turn that states their answer."""
    citations = Citations(admission)
    summary = admission.summary or {}
    failure = admission.failure or {}
    parts = [_heading(admission, entry, neighbours), _figures(entry, citations), _files(admission, files)]
    if admission.status == "failed":
        parts.append(
            f'<div class="failure"><b>Failed ({esc(failure.get("error_kind"))}).</b> {esc(failure.get("error"))}</div>'
        )
    panels = [
        _validation(summary),
        _caps(admission),
        rounds_section(admission.call, opened=admission.status == "failed"),
        _summary(summary.get("end_of_admission_summary"), citations),
    ]
    if admission.failed_call is not None:
        panels.append(
            '<details class="panel"><summary>A later attempt failed '
            f"({esc(failure.get('error_kind'))}); the conversation shown is the earlier complete one</summary>"
            f'<p class="error">{esc(failure.get("error"))}</p>{rounds_section(admission.failed_call, opened=True)}'
            "</details>"
        )
    parts.append(f'<div class="panels">{"".join(panels)}</div>')
    parts.append(
        '<div class="split">'
        + _conversation(admission, citations, questions or {})
        + render_rows(admission.packet, citations, admission.prompt)
        + "</div>"
    )
    return "\n".join(p for p in parts if p)


def _heading(admission: Admission, entry: AdmissionEntry, neighbours: tuple[int | None, int | None]) -> str:
    record, patient = admission.packet.get("admission") or {}, admission.packet.get("patient") or {}
    before, after = neighbours
    nav = [f'<a href="../patients/{entry.subject_id}.html">patient {entry.subject_id}</a>']
    if before:
        nav.append(f'<a href="{before}.html" rel="prev">← admission {before}</a>')
    if after:
        nav.append(f'<a href="{after}.html" rel="next">admission {after} →</a>')
    who = ", ".join(str(v) for v in (patient.get("gender"), patient.get("age_at_admission")) if v is not None)
    route = f"{esc(record.get('admission_type'))} from {esc(record.get('admission_location'))}"
    route += f" → {esc(record.get('discharge_location'))}"
    return (
        f'<p class="crumbs">{" · ".join(nav)}</p>'
        f"<h1>Admission {entry.hadm_id} {badge(entry.status)}</h1>"
        f'<p class="sub">Patient {entry.subject_id} ({esc(who)}) · {route} · '
        f"{esc(when(entry.admittime))} → {esc(when(entry.dischtime))}</p>"
    )


def _figures(entry: AdmissionEntry, citations: Citations) -> str:
    figures = entry.figures
    grounding, note = "–", ""
    if entry.numbers_stated:
        grounding = percent(entry.grounding_score)
        note = f"{entry.numbers_stated - (entry.numbers_ungrounded or 0)} of {entry.numbers_stated} numbers found"
    elif entry.numbers_stated == 0:
        note = "no numbers stated"
    stats = [
        stat("model", esc(entry.model), esc(entry.backend) + " backend"),
        stat("tokens in / out", f"{number(figures.input_tokens)} / {number(figures.output_tokens)}"),
        stat("model latency", seconds(figures.model_s), plural(figures.requests, "request")),
        stat("rounds", str(figures.rounds), plural(max(figures.rounds - 1, 0), "repair")),
        stat("grounding score", grounding, note),
        stat("turns", number(entry.turns)),
        stat("rows cited", f"{number(citations.cited())} of {number(len(citations.rows))}"),
    ]
    return f'<div class="stats">{"".join(stats)}</div>'


def _files(admission: Admission, files: str) -> str:
    folder = admission.folder.complete or admission.folder.failed
    assert folder is not None
    names = sorted(path.name for path in folder.iterdir() if path.is_file())
    links = " · ".join(f'<a href="{esc(files)}/{esc(name)}">{esc(name)}</a>' for name in names)
    return f'<p class="files">Files: {links}</p>'


def _validation(summary: dict[str, Any]) -> str:
    report = summary.get("validation")
    if report is None:
        return ""
    listed = "".join(f"<li>{esc(e)}</li>" for e in report.get("errors") or []) or "<li>every rule passed</li>"
    misses = ", ".join(
        f'<a href="#turn-{esc(u.get("turn_id"))}">turn {esc(u.get("turn_id"))}: {esc(u.get("number"))}</a>'
        for u in report.get("ungrounded_numbers") or []
    )
    return (
        f'<details class="panel"><summary>Validation report {badge("ok" if report.get("ok") else "failed")}</summary>'
        f"<ul>{listed}</ul><p>Numbers stated: {esc(report.get('numbers_stated'))}, found in the cited rows: "
        f"{esc(report.get('numbers_grounded'))} (grounding score {percent(report.get('grounding_score'))}).</p>"
        + (f'<p class="ungrounded-list">Not found in the cited rows: {misses}</p>' if misses else "")
        + "</details>"
    )


def _caps(admission: Admission) -> str:
    rows, dropped_total = [], 0
    for name, s in (admission.inputs.get("sections") or {}).items():
        dropped = (s.get("rows_seen") or 0) - (s.get("rows_kept") or 0)
        dropped_total += dropped
        rows.append(
            [
                esc(name),
                number(s.get("rows_seen")),
                number(s.get("rows_kept")),
                f'<b class="error">{number(dropped)}</b>' if dropped else "0",
                "none" if s.get("cap") is None else number(s.get("cap")),
                esc(", ".join(f"{k}: {v}" for k, v in (s.get("link_methods") or {}).items())),
            ]
        )
    extras = {k: v for k, v in admission.prompt.items() if k not in KNOWN_PROMPT_KEYS}
    fitted = "".join(f"<h3>{esc(k.replace('_', ' '))}</h3>{values(v)}" for k, v in extras.items())
    requested = admission.inputs.get("caps_requested") or {}
    asked = ", ".join(f"{k}: {'none' if v is None else v}" for k, v in requested.items()) or "the warehouse build's"
    return (
        f'<details class="panel"><summary>Caps and rows dropped: {plural(dropped_total, "row")} dropped</summary>'
        f"<p>Caps asked for: {esc(asked)}.</p>"
        + table(["section", "rows seen", "rows kept", "dropped", "cap", "linked by"], rows)
        + fitted
        + "</details>"
    )


def _summary(summary: dict[str, Any] | None, citations: Citations) -> str:
    if not summary:
        return ""
    blocks = [f"<p>{esc(summary.get('one_paragraph_summary'))}</p>"]
    for key, title in SUMMARY_PARTS.items():
        if items := summary.get(key):
            blocks.append(f"<h3>{title}</h3><ul class='items'>{''.join(_item(i, citations) for i in items)}</ul>")
    if summary.get("disposition"):
        blocks.append(f"<h3>Disposition</h3><ul class='items'>{_item(summary['disposition'], citations)}</ul>")
    return (
        '<details class="panel"><summary>End-of-admission summary '
        f"(discharge {esc(summary.get('relative_discharge_time'))})</summary>{''.join(blocks)}</details>"
    )


def _item(item: dict[str, Any], citations: Citations) -> str:
    eids = item.get("supporting_eids") or []
    text = " · ".join(esc(v) for v in item.values() if isinstance(v, str))
    links = " ".join(citations.link(eid) for eid in eids)
    return f'<li class="cites" data-rows="{citations.data_rows(eids)}" tabindex="0">{text} <span>{links}</span></li>'


def _conversation(admission: Admission, citations: Citations, questions: dict[int, list[dict[str, Any]]]) -> str:
    if admission.conversation is None:
        body = '<p class="empty">No conversation: every round failed. Their raw answers and errors are above.</p>'
    else:
        misses: dict[str, set[str]] = {}
        report = (admission.summary or {}).get("validation") or {}
        for miss in report.get("ungrounded_numbers") or []:
            misses.setdefault(str(miss.get("turn_id")), set()).add(str(miss.get("number")))
        turns = "".join(
            _turn(t, citations, misses, questions.get(t.get("turn_id"), [])) for t in admission.conversation
        )
        body = f'<ol class="turns">{turns}</ol>'
    return (
        '<section class="pane conversation"><div class="pane-head"><h2>Conversation</h2>'
        '<span class="hint" id="selection">Select a turn to highlight the rows it cites.</span></div>'
        f"{body}</section>"
    )


def _turn(
    turn: dict[str, Any], citations: Citations, misses: dict[str, set[str]], questions: list[dict[str, Any]]
) -> str:
    turn_id, speaker = str(turn.get("turn_id")), str(turn.get("speaker", ""))
    eids = turn.get("evidence_eids") or []
    cites = " ".join(citations.link(eid) for eid in eids)
    text = _marked(str(turn.get("text", "")), misses.get(turn_id))
    return (
        f'<li class="turn cites {esc(speaker.lower())}" id="turn-{esc(turn_id)}" '
        f'data-rows="{citations.data_rows(eids)}" tabindex="0">'
        f'<div class="meta"><b>{esc(speaker)}</b><span class="time">{esc(turn.get("relative_time"))}</span>'
        f'<span class="tid">#{esc(turn_id)}</span></div><p>{text}</p>'
        + (f'<div class="evidence">{cites}</div>' if cites else "")
        + _questions(questions)
        + "</li>"
    )


def _questions(questions: list[dict[str, Any]]) -> str:
    """The qa questions whose answer this turn states, with their gold answers."""
    if not questions:
        return ""
    listed = "".join(
        f'<li title="{esc(q["item_id"])}"><span class="family">{esc(q["family"])}</span> {esc(q["question"])} '
        f"<b>{esc(q['gold'])}</b></li>"
        for q in questions
    )
    summary = f"{plural(len(questions), 'question')} this turn answers"
    return f'<details class="qa"><summary>{summary}</summary><ul>{listed}</ul></details>'


def _marked(text: str, ungrounded: set[str] | None) -> str:
    """The turn's text with each number the validator did not find in the cited rows marked."""
    if not ungrounded:
        return esc(text)
    out, last = [], 0
    for match in _NUMBER.finditer(text):
        if match.group().replace(",", "") in ungrounded:
            out += [
                esc(text[last : match.start()]),
                f'<mark class="ungrounded" title="not found in the rows this turn cites">{esc(match.group())}</mark>',
            ]
            last = match.end()
    out.append(esc(text[last:]))
    return "".join(out)
