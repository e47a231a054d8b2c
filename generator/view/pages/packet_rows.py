"""The packet's rows on the admission page: grouped by section, sections and rows in time order, relative times.

Each row shows first the columns the prompt showed the model (read from the prompt's section headers), then its
other columns in one muted line. This is the bulk of a report (thousands of rows per admission, a thousand
admissions), so a row is a handful of string operations.
"""

import json
import re
from html import escape
from typing import Any

from generator.view.html import esc, relative, row_id
from generator.view.pages.citations import SUMMARY, Citations

HIDDEN_KEYS = frozenset({"eid", "t_rel_min", "t_out_min", "seq", "keep_priority", "subject_id", "hadm_id", "text"})
RECORDS = "patient and admission"
# The first rows are in the page; the others' HTML waits in a JSON script, one string per table of
# ROWS_PER_TABLE rows (a browser reads a string much faster than it builds rows), and the report's script puts
# the tables in place one by one right after loading, or at once when a turn or a link needs a row not yet there.
INLINE_ROWS = 300
ROWS_PER_TABLE = 100
COLUMNS = '<colgroup><col class="t"><col class="e"><col><col class="by"></colgroup>'
# A section's header line in the prompt: "## labs: label|value|..." or "## labs (5 of 125 kept): label|...".
_PROMPT_SECTION = re.compile(r"^## ([a-z_]+)[^:\n]*: (.+)$", re.MULTILINE)


def render_rows(packet: dict[str, Any], citations: Citations, prompt: dict[str, Any]) -> str:
    """The rows pane: a jump list of sections, then one table per section."""
    shown = prompt_columns(prompt)
    groups = [(RECORDS, [r for r in (packet.get("patient"), packet.get("admission")) if r], 0)]
    timed = []
    for name, section in packet.get("sections", {}).items():
        rows = sorted(section.get("rows", []), key=_row_order)
        times = [r["t_rel_min"] for r in rows if r.get("t_rel_min") is not None]
        if rows:
            timed.append((name, rows, min(times) if times else None))
    groups += sorted(timed, key=lambda g: (g[2] is None, g[2] or 0))
    jump = " ".join(f'<a href="#s-{_anchor(name)}">{esc(name)}</a>' for name, _, _ in groups)
    blocks, deferred, inline = [], [], INLINE_ROWS
    for name, rows, _ in groups:
        section = packet.get("sections", {}).get(name) or {}
        kept = f"{section.get('rows_kept')} of {section.get('rows_seen')} rows" if section else f"{len(rows)} rows"
        columns = shown.get(name)
        tables = []
        for start in range(0, len(rows), ROWS_PER_TABLE):
            chunk = rows[start : start + ROWS_PER_TABLE]
            body = "".join(_row(row, citations, columns) for row in chunk)
            if inline > 0:
                tables.append(f'<table class="rows">{COLUMNS}<tbody>{body}</tbody></table>')
                inline -= len(chunk)
            else:
                tables.append(f'<table class="rows" data-chunk="{len(deferred)}">{COLUMNS}<tbody></tbody></table>')
                deferred.append(body)
        blocks.append(f'<h3 id="s-{_anchor(name)}">{esc(name)} <small>{esc(kept)}</small></h3>{"".join(tables)}')
    # "</" cannot end the script element early once escaped ("<\/"), and JSON reads it back as "</".
    store = json.dumps(deferred, ensure_ascii=False).replace("</", "<\\/")
    return (
        '<section class="pane packet" id="packet"><div class="pane-head"><h2>Packet rows</h2>'
        '<label><input type="checkbox" id="dim-uncited"> dim rows nothing cites</label></div>'
        f'<p class="jump">{jump}</p>{"".join(blocks)}'
        f'<script type="application/json" id="row-chunks">{store}</script></section>'
    )


def prompt_columns(prompt: dict[str, Any]) -> dict[str, list[str]]:
    """Per section, the columns the prompt showed the model, in its order."""
    user = next((m.get("content") for m in prompt.get("messages", []) if m.get("role") == "user"), "") or ""
    return {name: columns.split("|") for name, columns in _PROMPT_SECTION.findall(user)}


def _anchor(name: str) -> str:
    return esc(name.replace(" ", "-"))


def _row_order(row: dict[str, Any]) -> tuple[bool, int, int]:
    minutes = row.get("t_rel_min")
    return (minutes is None, minutes or 0, row.get("seq") or 0)


def _row(row: dict[str, Any], citations: Citations, columns: list[str] | None) -> str:
    """`columns`: those the prompt showed (None: show every column alike)."""
    eid = row.get("eid", "")
    if columns is None:
        columns = [k for k in row if k not in HIDDEN_KEYS]
    excluded = HIDDEN_KEYS.union(columns)
    facts = "".join(
        f"<i>{k}</i> {citations.link(v) if k == 'parent_eid' else escape(_text(v), quote=False)} "
        for k in columns
        if (v := row.get(k)) is not None and v != ""
    )
    other = "; ".join(f"{k} {_text(v)}" for k, v in row.items() if v is not None and k not in excluded and v != "")
    if other:
        facts += f'<span class="more">{escape(other, quote=False)}</span>'
    if row.get("text"):
        text = str(row["text"])
        facts += f"<details><summary>note text ({len(text):,} characters)</summary><pre>{esc(text)}</pre></details>"
    by = citations.cited_by.get(eid)
    links = " ".join(f'<a href="#turn-{t}">{t}</a>' if t != SUMMARY else SUMMARY for t in dict.fromkeys(by or ()))
    return (
        f'<tr id="{row_id(eid)}" class="{"cited-any" if by else "uncited"}">'
        f'<td class="t">{relative(row.get("t_rel_min"))}</td><td class="e">{esc(eid)}</td>'
        f'<td class="f">{facts}</td><td class="by">{links}</td></tr>'
    )


def _text(value: Any) -> str:
    """A value as text; an ISO date-time without its seconds ("2139-06-19 07:19")."""
    if isinstance(value, str):
        if len(value) >= 16 and value[4] == "-" and value[10] in "T " and value[13] == ":":
            return f"{value[:10]} {value[11:16]}"
        return value
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)
