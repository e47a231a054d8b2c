"""The prompt: a deterministic, versioned rendering of one packet (and the previous admission's summary).

Rows are rendered one per line, evidence id first, then the relative time `H+hh:mm`, then the section's
`prompt_columns` (generator/sections.py; the header line names them); note text follows its row line. No absolute
dates or years reach the model: datetimes become relative times, `anchor_year` and `dod` are left out.
"""

import json
import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from generator.conversation import EndOfAdmissionSummary
from generator.packet import Packet
from generator.sections import SECTION_BY_NAME

TEMPLATE_VERSION = "conversation-prompt.v1"

TEXT_COLUMN = "text"
NON_FACT_KEYS = {"eid", "t_rel_min", "t_out_min", "seq", "keep_priority"}  # bookkeeping, not clinical facts
HIDDEN = NON_FACT_KEYS | {"subject_id", "hadm_id", "source_hadm_id", "link_method", TEXT_COLUMN}
NOT_SHOWN_TO_MODEL = {"dod", "anchor_year", "anchor_year_group", "admittime", "dischtime"}
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
RELATIVE_TIME = re.compile(r"^H([+-])(\d{2,}):([0-5]\d)$")

ROWS_LEGEND = (
    "EHR rows, one per line: evidence id|time|the columns named in the section header. Time is H+hh:mm since "
    'admission ("-" when unknown). Note text follows its row between """ lines.'
)
SYSTEM_MESSAGE = """\
You write a realistic inpatient conversation between a patient and their care team for one hospital \
admission, grounded in the admission's electronic health record (EHR) packet. Rules:
1. Use only facts in the packet (and the previous admission's summary when given). Invent no diagnoses, \
symptoms, results, medications, procedures, times or outcomes.
2. Cite evidence: every turn lists in evidence_eids the ids (e.g. LAB#123, DS#10000032-DS-21) of the rows \
it relies on. Every clinician turn and every turn that states a number cites at least one id, and every \
number stated in a turn appears in the rows it cites. Only ids that appear in the packet or the previous \
summary are valid.
3. When a fact is missing from the packet, say "not documented" rather than guessing.
4. Cover the whole admission in chronological order, from arrival through discharge.
5. Use relative time only, always in the form H+hh:mm (hours since admission, may exceed 24; H-hh:mm is \
before admission), as the packet shows it. relative_time never goes backwards. Never write calendar dates, \
weekdays, months or years.
6. The discharge note shapes the story and must be cited, but do not reveal an outcome before it happens in \
the timeline. Do not copy the discharge note as dialogue.
7. The PATIENT speaks in plain lay language and does not recite lab values; clinicians (ATTENDING, \
RESIDENT, NURSE, CONSULT) explain results.
8. Answer with one JSON object matching the requested schema exactly, with no other text."""

OUTPUT_SKELETON = {
    "conversation": [
        {"turn_id": 1, "speaker": "NURSE", "relative_time": "H+00:10", "text": "...", "evidence_eids": ["..."]}
    ],
    "end_of_admission_summary": {
        "relative_discharge_time": "H+hh:mm",
        "one_paragraph_summary": "...",
        "problem_list": [{"problem": "...", "status_at_discharge": "...", "supporting_eids": ["..."]}],
        "key_tests_and_results": [
            {"test": "...", "result": "...", "relative_time": "H+hh:mm", "supporting_eids": ["..."]}
        ],
        "treatments_and_meds": [{"treatment_or_med": "...", "details": "...", "supporting_eids": ["..."]}],
        "disposition": {"discharge_location": "...", "supporting_eids": ["..."]},
    },
}


class PreviousAdmission(BaseModel):
    """The patient's previous admission, as its stored summary tells it."""

    hadm_id: int
    summary: EndOfAdmissionSummary
    days_before: int | None


class Prompt(BaseModel):
    template_version: str
    system: str
    user: str

    def messages(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


def canonical_json(value: Any) -> str:
    """Sorted keys, compact separators, UTF-8 text: the form that is hashed and compared."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def relative_label(minutes: int | None) -> str:
    """`H+hh:mm` from whole minutes since admission (`H-hh:mm` before it); `-` when unknown."""
    if minutes is None:
        return "-"
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"H{sign}{hours:02d}:{mins:02d}"


def parse_relative(label: str) -> int | None:
    """Minutes since admission from `H+hh:mm`, or None when the label is not in that form."""
    match = RELATIVE_TIME.match(label.strip())
    if not match:
        return None
    minutes = int(match.group(2)) * 60 + int(match.group(3))
    return -minutes if match.group(1) == "-" else minutes


def render_prompt(packet: Packet, previous: PreviousAdmission | None, rendered: dict[str, str] | None = None) -> Prompt:
    """The system and user messages for one admission; same inputs, same bytes.

    `rendered` (row texts by evidence id, read and filled) spares rendering a row again when one packet and the
    packets recapped from it are rendered in turn."""
    parts = [
        f"Admission ADM#{packet.hadm_id} of patient PT#{packet.subject_id}.",
        _render_record("Patient", packet.patient, packet),
        _render_record("Admission", packet.admission, packet),
        _render_previous(previous),
        _render_discharge_policy(packet),
        ROWS_LEGEND + "\n" + render_sections(packet, rendered),
        "Answer with JSON of this shape (every key required, no others):\n" + json.dumps(OUTPUT_SKELETON),
    ]
    return Prompt(template_version=TEMPLATE_VERSION, system=SYSTEM_MESSAGE, user="\n\n".join(parts) + "\n")


def render_sections(packet: Packet, rendered: dict[str, str] | None = None) -> str:
    """Every non-empty section: a header line, then one line per row (note text after its line)."""
    blocks = []
    for name, section in packet.sections.items():
        if not section.rows:
            continue
        columns = SECTION_BY_NAME[name].prompt_columns
        kept = f" ({section.rows_kept} of {section.rows_seen} kept)" if section.truncated else ""
        lines = [f"## {name}{kept}: " + "|".join(columns)]
        lines.extend(_row_text(row, columns, rendered) for row in section.rows)
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def row_texts(packet: Packet, rendered: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Per section, each row's text in the user message (its line, its note text; a newline follows), in row order."""
    return {
        name: [_row_text(row, SECTION_BY_NAME[name].prompt_columns, rendered) for row in section.rows]
        for name, section in packet.sections.items()
    }


def _row_text(row: dict[str, Any], columns: tuple[str, ...], rendered: dict[str, str] | None) -> str:
    if rendered is None:
        return _render_row(row, columns)
    text = rendered.get(row["eid"])
    if text is None:
        text = rendered[row["eid"]] = _render_row(row, columns)
    return text


def _render_row(row: dict[str, Any], columns: tuple[str, ...]) -> str:
    """A row's line (evidence id, time, its columns without trailing blanks) and its note text, if any."""
    values = [_cell(row.get(column)) for column in columns]
    while values and not values[-1]:
        values.pop()
    line = "|".join([row["eid"], relative_label(row.get("t_rel_min")), *values])
    if row.get(TEXT_COLUMN):
        line += f'\n"""\n{_compact_text(row[TEXT_COLUMN])}\n"""'
    return line


def _render_record(title: str, record: dict[str, Any], packet: Packet) -> str:
    fields = []
    for key, value in record.items():
        if key in HIDDEN or key in NOT_SHOWN_TO_MODEL or value is None or value == "":
            continue
        shown = _relative_from(value, packet.admittime)
        fields.append(f"{key}={shown if shown is not None else _cell(value)}")
    if title == "Admission" and packet.dischtime:
        fields.append(f"discharge={_relative_from(packet.dischtime, packet.admittime)}")
    return f"{title} {record['eid']}: " + "; ".join(fields)


def _render_previous(previous: PreviousAdmission | None) -> str:
    if previous is None:
        return "Previous admission: none in this benchmark."
    gap = f", discharged {previous.days_before} days before this admission" if previous.days_before is not None else ""
    return (
        f"Previous admission ADM#{previous.hadm_id}{gap}. Its summary (times relative to that admission; "
        f"its ids may be cited):\n{canonical_json(previous.summary.model_dump())}"
    )


def _render_discharge_policy(packet: Packet) -> str:
    if packet.has_discharge_note:
        return "The discharge note (DS# rows) summarises the whole stay: use it, cite it, reveal nothing early."
    return "This admission has no discharge note: build the story from the structured rows only."


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return " ".join(str(value).replace("|", "/").split())


def _compact_text(text: str) -> str:
    """Note text with runs of spaces collapsed and blank lines dropped."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _is_datetime(value: Any) -> bool:
    return isinstance(value, datetime) or (isinstance(value, str) and bool(_ISO_DATETIME.match(value)))


def _relative_from(value: Any, admittime: datetime) -> str | None:
    if not _is_datetime(value):
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return relative_label(int((moment - admittime).total_seconds() // 60))


def render_repair(errors: list[str], *, limit: int = 40) -> str:
    """The user turn that asks for a corrected answer, listing what was wrong."""
    listed = "\n".join(f"- {error}" for error in errors[:limit])
    more = f"\n- ... and {len(errors) - limit} more" if len(errors) > limit else ""
    return (
        "Your previous answer was rejected for these reasons:\n"
        f"{listed}{more}\n"
        "Answer again with the complete corrected JSON object only, following every rule."
    )
