"""One CDM case: the model's trace (messages, tool calls, what came back, final answer) beside the case's ground
truth and the rubric's verdict on each item, explained from the scored case."""

import json
from typing import Any

from generator.view.html import badge, esc, table

LONG_TOOL_OUTPUT = 800  # characters; longer tool results start folded
LABELS = {  # the metrics where more is better, as the pages name them
    "diagnosis": "diagnosis",
    "lenient_diagnosis": "diagnosis (lenient)",
    "physical_exam_first": "exam first",
    "physical_exam_any": "exam at all",
    "lab_categories": "lab categories",
    "imaging": "imaging (0 to 2)",
    "treatment_recall": "treatment recall",
}


def render_case(result: dict[str, Any], score: dict[str, Any], metrics: list[str]) -> str:
    """`result`: the results file line; `score`: the case as `cdm score` scored it; `metrics`: those it averages."""
    answer, run = result.get("answer") or {}, result["run"]
    calls = len(result.get("calls", []))
    head = (
        '<p class="crumbs"><a href="../cdm.html">CDM results</a></p>'
        f"<h1>CDM case {result['hadm_id']} {badge(result['status'])}</h1>"
        f'<p class="sub">{esc(result.get("pathology"))} · mode {esc(run.get("mode"))} · model '
        f"{esc(run.get('model'))} · {result.get('duration_s')} s · {calls} model calls</p>"
    )
    if result.get("error"):
        head += f'<div class="failure">{esc(result["error"])}</div>'
    final = ""
    if answer:
        treatments = "".join(f"<li>{esc(t)}</li>" for t in answer.get("treatments", []))
        final = (
            f'<div class="final"><h3>Final answer</h3><p><b>Diagnosis:</b> {esc(answer.get("diagnosis"))}</p>'
            f"<p><b>Treatments:</b></p><ul>{treatments}</ul></div>"
        )
    return (
        head
        + '<div class="split case">'
        + f'<section class="pane"><div class="pane-head"><h2>Trace</h2></div>{_trace(result)}{final}</section>'
        + f'<section class="pane"><div class="pane-head"><h2>Ground truth and verdicts</h2></div>'
        f"{_ground_truth(result.get('ground_truth') or {})}{_verdicts(result, score, metrics)}</section>" + "</div>"
    )


def _trace(result: dict[str, Any]) -> str:
    names = {
        call["id"]: call["function"]["name"]
        for message in result.get("messages", [])
        for call in message.get("tool_calls") or []
    }
    items = []
    for index, message in enumerate(result.get("messages", [])):
        role = message.get("role", "?")
        content = message.get("content")
        text = content if isinstance(content, str) else json.dumps(content, indent=2) if content else ""
        if role == "system":
            body = f"<details><summary>system prompt</summary><pre>{esc(text)}</pre></details>"
        elif role == "tool":
            name = names.get(message.get("tool_call_id"), "tool")
            folded = len(text) > LONG_TOOL_OUTPUT
            body = (
                f"<details{'' if folded else ' open'}><summary>{esc(name)} returned {len(text):,} characters"
                f"</summary><pre>{esc(text)}</pre></details>"
            )
        else:
            opening = role == "user" and index <= 1
            body = (
                f"<details open><summary>case presentation</summary><pre>{esc(text)}</pre></details>"
                if opening
                else (f"<pre>{esc(text)}</pre>" if text else "")
            )
            for call in message.get("tool_calls") or []:
                function = call.get("function", {})
                body += (
                    f'<p class="call">calls <b>{esc(function.get("name"))}</b>({esc(function.get("arguments"))})</p>'
                )
        items.append(f'<li class="message {esc(role)}"><span class="role">{esc(role)}</span>{body}</li>')
    return f'<ol class="trace">{"".join(items)}</ol>'


def _ground_truth(truth: dict[str, Any]) -> str:
    diagnoses = "".join(f"<li>{esc(d)}</li>" for d in truth.get("primary_diagnosis", [])) or "<li>none recorded</li>"
    rows = [
        [
            esc(t.get("title")),
            esc(t.get("icd_code") or "–"),
            "yes" if t.get("is_coded") else "no",
            esc(t.get("category") or "–"),
        ]
        for t in truth.get("treatments", [])
    ]
    treatments = table(["treatment", "ICD", "coded", "rubric category"], rows) if rows else "<p>none recorded</p>"
    return f"<h3>Primary diagnosis</h3><ul>{diagnoses}</ul><h3>Treatments done</h3>{treatments}"


def _verdicts(result: dict[str, Any], score: dict[str, Any], metrics: list[str]) -> str:
    """Each metric's score with why; a metric this page has no explanation for shows its score alone."""
    why = _explanations(result, score)
    rows = []
    for metric in metrics:
        value = score.get(metric)
        reason = "not scored in this mode" if value is None else why.get(metric, "")
        rows.append([esc(label(metric)), "–" if value is None else f"<b>{value:g}</b>", esc(reason)])
    invalid = score.get("invalid_tool_calls") or 0
    note = f"<p>{invalid} tool calls were invalid.</p>" if invalid else ""
    return f"<h3>Rubric verdicts</h3>{table(['item', 'score', 'why'], rows, cls='verdicts')}{note}"


def _explanations(result: dict[str, Any], score: dict[str, Any]) -> dict[str, str]:
    """What each scored item looked at, from the case's actions, answer and scored fields."""
    pathology = score["pathology"]
    diagnosis = (result.get("answer") or {}).get("diagnosis")
    said = f"“{diagnosis}”" if diagnosis else "no final diagnosis"
    actions = result.get("actions") or []
    requested = sorted({c for a in actions if a.get("lab") for c in a["lab"].get("categories", [])})
    imaging = next((a["imaging"] for a in actions if (a.get("imaging") or {}).get("region") == "Abdomen"), None)
    required, done = score.get("treatment_required", []), score.get("treatment_requested", [])
    missing = [t for t in required if t not in done]
    return {
        "diagnosis": f"{said} {'names' if score.get('diagnosis') else 'does not name'} {pathology} "
        "(misspellings within ratio 0.9 allowed; a negated mention does not count)",
        "lenient_diagnosis": "the name, or an organ word with an inflammatory modifier in one clause, not negated: "
        f"{'found' if score.get('lenient_diagnosis') else 'not found'} in {said}",
        "physical_exam_first": f"first tool call: {actions[0]['name'] if actions else 'none'}",
        "physical_exam_any": f"{len(actions)} tool calls, "
        f"{'including' if score.get('physical_exam_any') else 'without'} a physical examination",
        "lab_categories": f"required categories requested: {', '.join(score.get('lab_categories_hit') or []) or 'none'}"
        f"; all categories requested: {', '.join(requested) or 'none'}",
        "imaging": f"first imaging of the abdomen: {imaging.get('modality') if imaging else 'none'} "
        "(2: the preferred modality, 1: an accepted alternative, 0: none or another)",
        "treatment_recall": f"required: {', '.join(required) or 'none'}; requested: {', '.join(done) or 'none'}; "
        f"missing: {', '.join(missing) or 'none'}",
    }


def label(metric: str) -> str:
    """A metric as the pages name it."""
    return LABELS.get(metric, metric.replace("_", " "))
