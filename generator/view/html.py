"""The parts every page shares: the page shell (navigation, data-use notice), escaping and formatting."""

import json
import re
from html import escape
from typing import Any

# The README's "Data use" notice, and what it means for this report.
NOTICE = (
    "MIMIC-IV and MIMIC-IV-Note are credentialed data under the PhysioNet Credentialed Health Data Use Agreement. "
    "Credentialed data stays local. The agreement forbids sending it to third-party services that retain it. "
    "Everything generated from credentialed data (warehouses, packets, prompts, conversations, CDM cases, exports) "
    "inherits its terms: keep it out of git and out of public places. This report holds such rows: keep it local, "
    "and never serve or publish it."
)
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?Z?$")
_ROW_ID = re.compile(r"[^A-Za-z0-9_-]")


def esc(value: Any) -> str:
    return escape("" if value is None else str(value))


def row_id(eid: str) -> str:
    """The element id of an evidence row on an admission page."""
    return "r-" + _ROW_ID.sub("_", eid)


def relative(minutes: int | None) -> str:
    """Minutes since admission as the conversation writes them: H+hh:mm (H-hh:mm before admission)."""
    if minutes is None:
        return "–"
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"H{sign}{hours:02d}:{rest:02d}"


def when(value: Any) -> str:
    """An ISO date-time without seconds and fractions ("2139-06-19 15:20"); anything else as it is."""
    text = "" if value is None else str(value)
    match = _ISO_DATETIME.match(text)
    return f"{match.group(1)} {match.group(2)}" if match else text


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:,.1f} s"


def badge(status: str) -> str:
    return f'<span class="badge {esc(status)}">{esc(status.replace("_", " "))}</span>'


def stat(label: str, value: str, note: str = "") -> str:
    """One figure in a page's row of figures."""
    small = f"<small>{note}</small>" if note else ""
    return f'<div class="stat"><span>{esc(label)}</span><b>{value}</b>{small}</div>'


def table(headers: list[str], rows: list[list[str]], *, cls: str = "") -> str:
    """A table of already escaped cells; headers are plain text."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def values(value: Any) -> str:
    """Any JSON value as nested definition lists (what a record holds that the page has no place for)."""
    if isinstance(value, dict):
        if not value:
            return "<i>none</i>"
        items = "".join(f"<dt>{esc(k)}</dt><dd>{values(v)}</dd>" for k, v in value.items())
        return f'<dl class="values">{items}</dl>'
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return esc(", ".join(json.dumps(v) if not isinstance(v, str) else v for v in value)) or "<i>none</i>"
        return "<ol>" + "".join(f"<li>{values(v)}</li>" for v in value) + "</ol>"
    return "<i>null</i>" if value is None else esc(value)


def page(title: str, body: str, *, depth: int, data_origin: str | None, links: dict[str, str]) -> str:
    """A whole page: head (the report's stylesheet), navigation, the data-use notice, body, the report's script.

    `depth`: how many folders below the report root the page lies; `data_origin`: the packets' (None: unknown);
    `links`: navigation label -> path from the root.
    """
    up = "../" * depth
    nav = " ".join(f'<a href="{up}{esc(path)}">{esc(label)}</a>' for label, path in links.items())
    if data_origin == "synthetic":
        origin = '<span class="origin synthetic">synthetic data</span>'
    elif data_origin is None:
        origin = '<span class="origin credentialed">data origin not recorded: treat as credentialed</span>'
    else:
        origin = '<span class="origin credentialed">credentialed data: keep local, never publish</span>'
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · mimicbench</title>"
        f'<link rel="stylesheet" href="{up}assets/style.css"></head>\n'
        f'<body><header class="top"><a class="brand" href="{up}index.html">mimicbench report</a>'
        f"<nav>{nav}</nav>{origin}</header>\n"
        f"<main>{body}</main>\n"
        f'<footer class="notice"><b>Data use.</b> {esc(NOTICE)}</footer>\n'
        f'<script src="{up}assets/view.js"></script></body></html>\n'
    )
