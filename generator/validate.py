"""Checks a model answer against the output schema and the packet; the errors feed the repair turn.

Rules (names appear in every error and in `summary.json`): schema, bounds (the maxItems / maxLength sent with
the schema, `generator/bounds.py`), turn_ids, non_empty_text, relative_time,
chronology, no_calendar_dates, known_evidence, clinical_turns_cite, discharge_note_cited, patient_speaks,
grounding. Grounding (numbers stated in a turn appear in the rows it cites) is always scored, and is an error
only when `min_grounding_score` is set.
"""

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.bounds import Bounds, bound_errors
from generator.conversation import ConversationOutput, EndOfAdmissionSummary
from generator.packet import Packet
from generator.prompt import NON_FACT_KEYS, PreviousAdmission, parse_relative

DISCHARGE_SECTIONS = ("discharge_notes", "discharge_note_details")
_EID_OR_TIME = re.compile(r"[A-Z]+#[\w.-]+|H[+-]\d+:\d{2}")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_CALENDAR = [
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"),
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),
    re.compile(rf"\b(?:{_MONTHS})\.?\s+\d{{1,4}}\b"),
    re.compile(r"\b(?:in|since|during|year|until|from)\s+(?:19|20|21|22)\d{2}\b", re.IGNORECASE),
]


class UngroundedNumber(BaseModel):
    turn_id: int
    number: str


class ValidationReport(BaseModel):
    """The outcome of every rule; `errors` is what the repair turn shows the model."""

    ok: bool
    errors: list[str]
    numbers_stated: int
    numbers_grounded: int
    grounding_score: float | None
    ungrounded_numbers: list[UngroundedNumber]


def validate_answer(
    data: Any,
    packet: Packet,
    previous: PreviousAdmission | None,
    *,
    min_grounding_score: float | None = None,
    bounds: Bounds | None = None,
) -> tuple[ConversationOutput | None, ValidationReport]:
    """The parsed output (None when the schema fails) and the report of every rule."""
    try:
        output = ConversationOutput.model_validate(data)
    except ValidationError as exc:
        errors = [f"schema: {'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}" for e in exc.errors()]
        return None, ValidationReport(
            ok=False, errors=errors, numbers_stated=0, numbers_grounded=0, grounding_score=None, ungrounded_numbers=[]
        )
    evidence = _Evidence(packet, previous)
    errors = [
        *bound_errors(output, bounds or {}),
        *_check_turns(output),
        *_check_times(output),
        *_check_calendar(output),
        *_check_evidence(output, evidence, packet),
    ]
    stated, grounded, ungrounded = _grounding(output, evidence)
    score = grounded / stated if stated else None
    if min_grounding_score is not None and score is not None and score < min_grounding_score:
        listed = ", ".join(f"turn {u.turn_id}: {u.number}" for u in ungrounded[:20])
        errors.append(
            f"grounding: only {score:.0%} of stated numbers appear in the cited rows "
            f"(need {min_grounding_score:.0%}); not found: {listed}"
        )
    report = ValidationReport(
        ok=not errors,
        errors=errors,
        numbers_stated=stated,
        numbers_grounded=grounded,
        grounding_score=score,
        ungrounded_numbers=ungrounded,
    )
    return output, report


def numbers_in(text: str) -> list[str]:
    """Numbers stated in a text, evidence ids and relative times left out ("1,200" reads as 1200)."""
    return _NUMBER.findall(_THOUSANDS.sub("", _EID_OR_TIME.sub(" ", text)))


def _check_turns(output: ConversationOutput) -> list[str]:
    errors = []
    turns = output.conversation
    if not turns:
        errors.append("turn_ids: the conversation is empty")
    for position, turn in enumerate(turns, start=1):
        if turn.turn_id != position:
            errors.append(f"turn_ids: turn {position} has turn_id {turn.turn_id}; ids must run 1..n in order")
        if not turn.text.strip():
            errors.append(f"non_empty_text: turn {turn.turn_id} has no text")
    if turns and not any(turn.speaker == "PATIENT" for turn in turns):
        errors.append("patient_speaks: the PATIENT never speaks")
    return errors


def _check_times(output: ConversationOutput) -> list[str]:
    errors, latest = [], None
    for turn in output.conversation:
        minutes = parse_relative(turn.relative_time)
        if minutes is None:
            errors.append(f"relative_time: turn {turn.turn_id} time {turn.relative_time!r} is not H+hh:mm")
            continue
        if latest is not None and minutes < latest:
            errors.append(f"chronology: turn {turn.turn_id} at {turn.relative_time} goes back in time")
        latest = minutes if latest is None else max(latest, minutes)
    summary = output.end_of_admission_summary
    labelled = [("relative_discharge_time", summary.relative_discharge_time)]
    labelled += [(f"key test {item.test!r}", item.relative_time) for item in summary.key_tests_and_results]
    for what, label in labelled:
        if parse_relative(label) is None:
            errors.append(f"relative_time: summary {what} time {label!r} is not H+hh:mm")
    return errors


def _check_calendar(output: ConversationOutput) -> list[str]:
    texts = [(f"turn {t.turn_id}", t.text) for t in output.conversation]
    texts += [("summary", s) for s in _summary_strings(output.end_of_admission_summary)]
    errors = []
    for where, text in texts:
        for pattern in _CALENDAR:
            if found := pattern.search(text):
                errors.append(f"no_calendar_dates: {where} contains a calendar date or year: {found.group(0)!r}")
    return errors


def _check_evidence(output: ConversationOutput, evidence: "_Evidence", packet: Packet) -> list[str]:
    errors = []
    summary = output.end_of_admission_summary
    cited = [(f"turn {t.turn_id}", eid) for t in output.conversation for eid in t.evidence_eids]
    cited += [("summary", eid) for eid in summary.cited_eids()]
    for where, eid in cited:
        if eid not in evidence:
            errors.append(f"known_evidence: {where} cites {eid!r}, which is not in this packet or the previous summary")
    for turn in output.conversation:
        clinical = turn.speaker != "PATIENT" or numbers_in(turn.text)
        if clinical and not turn.evidence_eids:
            errors.append(f"clinical_turns_cite: turn {turn.turn_id} ({turn.speaker}) cites no evidence")
    discharge_eids = {
        row["eid"] for name in DISCHARGE_SECTIONS if name in packet.sections for row in packet.sections[name].rows
    }
    if discharge_eids and not discharge_eids.intersection(eid for _, eid in cited):
        errors.append(
            f"discharge_note_cited: no turn or summary item cites the discharge note ({sorted(discharge_eids)[0]})"
        )
    return errors


def _grounding(output: ConversationOutput, evidence: "_Evidence") -> tuple[int, int, list[UngroundedNumber]]:
    stated = grounded = 0
    ungrounded = []
    for turn in output.conversation:
        available = {float(n) for eid in turn.evidence_eids for n in numbers_in(evidence.text(eid))}
        for number in numbers_in(turn.text):
            stated += 1
            if float(number) in available:
                grounded += 1
            else:
                ungrounded.append(UngroundedNumber(turn_id=turn.turn_id, number=number))
    return stated, grounded, ungrounded


class _Evidence:
    """Every citable evidence id; the text of what one stands for (for grounding numbers) is built when asked.

    An answer cites a few dozen of a packet's hundreds of rows, so only the cited rows' texts are built.
    """

    def __init__(self, packet: Packet, previous: PreviousAdmission | None):
        self.rows = {packet.patient["eid"]: packet.patient, packet.admission["eid"]: packet.admission}
        for section in packet.sections.values():
            self.rows.update((row["eid"], row) for row in section.rows)
        self.summary_texts: dict[str, list[str]] = {}  # what the previous summary's items citing the id say
        if previous is not None:
            summary = previous.summary
            items = [
                *summary.problem_list,
                *summary.key_tests_and_results,
                *summary.treatments_and_meds,
                summary.disposition,
            ]
            for item in items:
                text = " ".join(v for v in item.model_dump().values() if isinstance(v, str))
                for eid in item.supporting_eids:
                    self.summary_texts.setdefault(eid, []).append(text)

    def __contains__(self, eid: str) -> bool:
        return eid in self.rows or eid in self.summary_texts

    def text(self, eid: str) -> str:
        """The row's facts, then what the previous summary says citing it; empty for an unknown id."""
        row = self.rows.get(eid)
        return (_row_text(row) if row is not None else "") + "".join(f" {t}" for t in self.summary_texts.get(eid, []))


def _row_text(row: dict[str, Any]) -> str:
    return " ".join(str(value) for key, value in row.items() if key not in NON_FACT_KEYS and value is not None)


def _summary_strings(summary: EndOfAdmissionSummary) -> list[str]:
    strings = [summary.one_paragraph_summary, summary.disposition.discharge_location]
    for item in [*summary.problem_list, *summary.key_tests_and_results, *summary.treatments_and_meds]:
        strings += [v for k, v in item.model_dump().items() if isinstance(v, str) and k != "relative_time"]
    return strings
