"""An admission's rounds from its model call record: each answer, its HTTP attempts, its errors, the repair asked."""

import json
from typing import Any

from generator.view.html import badge, esc, number, table, values


def rounds_section(call: dict[str, Any], *, opened: bool) -> str:
    """Every round; `opened` shows them unfolded (a failed admission: its raw answers are the story)."""
    rounds = call.get("rounds") or []
    failed_rounds = sum(bool(r.get("errors")) for r in rounds)
    title = f"Rounds: {len(rounds)} ({failed_rounds} with errors)"
    return (
        f'<details class="panel rounds"{" open" if opened else ""}><summary>{title}</summary>'
        + "".join(_round(r, opened) for r in rounds)
        + "</details>"
    )


def _round(round_: dict[str, Any], opened: bool) -> str:
    errors = round_.get("errors") or []
    state = "failed" if errors else "ok"
    parts = [f"<h3>Round {esc(round_.get('round'))} {badge(state)}</h3>"]
    if errors:
        parts.append('<ul class="errors">' + "".join(f"<li>{esc(e)}</li>" for e in errors) + "</ul>")
    if round_.get("repair_message"):
        parts.append(
            f"<details><summary>repair request sent</summary><pre>{esc(round_['repair_message'])}</pre></details>"
        )
    if round_.get("notes"):
        parts.append("<p>" + "; ".join(esc(n) for n in round_["notes"]) + "</p>")
    attempts = round_.get("attempts") or []
    if attempts:
        parts.append(_attempts(attempts))
    if round_.get("params_sent"):
        parts.append(f"<details><summary>parameters sent</summary>{values(round_['params_sent'])}</details>")
    text = round_.get("response_text")
    if text is None:
        parts.append('<p class="empty">No answer came back.</p>')
    else:
        shown, how = _readable(text)
        finish = esc(round_.get("finish_reason") or "–")
        parts.append(
            f"<details{' open' if opened else ''}><summary>raw answer ({len(text):,} characters, {how}, "
            f'finish reason {finish})</summary><pre class="answer">{esc(shown)}</pre></details>'
        )
    return f'<div class="round">{"".join(parts)}</div>'


def _attempts(attempts: list[dict[str, Any]]) -> str:
    rows = [
        [
            esc(a.get("attempt")),
            badge(a.get("status") or "?"),
            esc(a.get("http_status") or "–"),
            number(a.get("latency_ms")) + " ms",
            f"{number(a.get('input_tokens'))} / {number(a.get('output_tokens'))}",
            esc(a.get("finish_reason") or "–"),
            esc(a.get("response_format") or "–"),
            esc(" ".join(x for x in (a.get("error_kind"), a.get("error")) if x)),
        ]
        for a in attempts
    ]
    headers = ["attempt", "status", "HTTP", "latency", "tokens in / out", "finish", "format", "error"]
    return table(headers, rows, cls="attempts")


def _readable(text: str) -> tuple[str, str]:
    """The answer pretty-printed when it is JSON, else as it came."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False), "JSON, indented here"
    except json.JSONDecodeError:
        return text, "as received"
