"""The patient page: the admissions on a timeline, then one card each with its summary and status."""

from datetime import datetime
from typing import Any

from generator.view.html import badge, esc, number, percent, plural, when
from generator.view.load import AdmissionEntry

WIDTH, HEIGHT, PAD = 960, 64, 16


def render(subject_id: int, entries: list[AdmissionEntry], manifest: dict[str, Any] | None) -> str:
    """`entries`: the patient's admissions in the report; the manifest adds those not generated."""
    listed = _listed(entries, manifest)
    completed = sum(e["status"] == "completed" for e in listed)
    failed = sum(e["status"] == "failed" for e in listed)
    cards, previous_end = [], None
    for item in listed:
        cards.append(_card(item, previous_end))
        previous_end = _time(item.get("dischtime")) or previous_end
    return (
        f'<p class="crumbs"><a href="../index.html">index</a></p><h1>Patient {subject_id}</h1>'
        f'<p class="sub">{len(listed)} admissions: {completed} completed, {failed} failed, '
        f"{len(listed) - completed - failed} not generated</p>"
        + _timeline(listed)
        + '<ol class="cards">'
        + "".join(cards)
        + "</ol>"
    )


def _listed(entries: list[AdmissionEntry], manifest: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One dict per admission in time order: the report's entries, and the manifest's others as not generated."""
    items = {
        e.hadm_id: {
            "hadm_id": e.hadm_id,
            "status": e.status,
            "entry": e,
            "admittime": e.admittime,
            "dischtime": e.dischtime,
        }
        for e in entries
    }
    for admission in (manifest or {}).get("admissions", []):
        hadm_id = admission.get("hadm_id")
        if hadm_id not in items:
            items[hadm_id] = {
                "hadm_id": hadm_id,
                "status": "not_generated",
                "entry": None,
                "admittime": admission.get("admittime"),
                "dischtime": None,
            }
    return sorted(items.values(), key=lambda i: (i["admittime"] or "", i["hadm_id"]))


def _time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _timeline(listed: list[dict[str, Any]]) -> str:
    spans = [(i, _time(i["admittime"]), _time(i["dischtime"]) or _time(i["admittime"])) for i in listed]
    spans = [(i, start, end) for i, start, end in spans if start and end]
    if not spans:
        return ""
    first, last = min(s for _, s, _ in spans), max(e for _, _, e in spans)
    total = max((last - first).total_seconds(), 1)
    scale = (WIDTH - 2 * PAD) / total
    marks = [f'<path class="axis" d="M{PAD} {HEIGHT - 22}H{WIDTH - PAD}"/>']
    for item, start, end in spans:
        x = PAD + (start - first).total_seconds() * scale
        w = max((end - start).total_seconds() * scale, 6)
        title = f"admission {item['hadm_id']} ({item['status'].replace('_', ' ')}): {when(item['admittime'])}"
        rect = f'<rect class="stay {esc(item["status"])}" x="{x:.1f}" y="8" width="{w:.1f}" height="26" rx="3">'
        rect += f"<title>{esc(title)}</title></rect>"
        marks.append(f'<a href="../admissions/{item["hadm_id"]}.html">{rect}</a>' if item["entry"] else rect)
    years = list(range(first.year + 1, last.year + 1))
    for year in years[:: max(1, len(years) // 12)]:
        x = PAD + (datetime(year, 1, 1) - first).total_seconds() * scale
        marks.append(f'<path class="grid" d="M{x:.1f} 4V{HEIGHT - 22}"/>')
        marks.append(f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle">{year}</text>')
    box = f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="admissions on a timeline"'
    return f'<svg class="timeline" {box}>{"".join(marks)}</svg>'


def _card(item: dict[str, Any], previous_end: datetime | None) -> str:
    entry: AdmissionEntry | None = item["entry"]
    start = _time(item["admittime"])
    gap = f" · {(start - previous_end).days} days after the previous discharge" if start and previous_end else ""
    stay = esc(when(item["admittime"])) + (f" → {esc(when(item['dischtime']))}" if item["dischtime"] else "")
    name = f"Admission {item['hadm_id']}"
    if entry is not None:
        name = f'<a href="../admissions/{entry.hadm_id}.html">{name}</a>'
    head = f'<h2>{name} {badge(item["status"])}</h2><p class="sub">{stay}{gap}</p>'
    if entry is None:
        return f'<li class="card muted">{head}<p>Not generated in this output root.</p></li>'
    facts = [esc(entry.admission_type or "")]
    if entry.first_diagnosis:
        facts.append(f"first coded diagnosis: {esc(entry.first_diagnosis)}")
    figures = (
        f"{esc(entry.model)} · {number(entry.turns)} turns · {plural(entry.figures.rounds, 'round')} · grounding "
        f"{percent(entry.grounding_score)} · {number(entry.figures.input_tokens + entry.figures.output_tokens)} tokens"
    )
    if entry.status == "failed":
        text = f'<p class="error">{esc(entry.error_kind)}: {esc(entry.error)}</p>'
    else:
        text = f"<p>{esc(entry.summary_text)}</p>"
    return f'<li class="card">{head}<p class="facts">{" · ".join(facts)}</p>{text}<p class="figures">{figures}</p></li>'
