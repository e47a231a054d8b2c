"""A patient's conversations as `generate-patient` / `generate-cohort` left them on disk, and rendered as the
model reads them: admission headers with the admission's number in the record, relative times and speakers;
no evidence ids, no hospital ids."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from generator import artifacts
from generator.qa.items import QaAdmission

EVIDENCE_ID = re.compile(r"\b[A-Z]{2,5}#[\w-]+")


@dataclass(frozen=True)
class Conversation:
    """One admission's turns (each a dict with turn_id, speaker, relative_time, text, evidence_eids)."""

    subject_id: int
    hadm_id: int
    admission_index: int
    turns: list[dict]


@dataclass(frozen=True)
class RenderedAdmission:
    """An admission as the model reads it, with where each turn starts in the text."""

    subject_id: int
    admission_index: int
    text: str
    turn_offsets: dict[int, int]


def read_conversations(output_root: Path, admissions: list[QaAdmission]) -> dict[int, dict[int, Conversation]]:
    """Every complete admission folder under `output_root` (its files manifest checks out), by patient and
    admission number; admissions without one are absent."""
    found: dict[int, dict[int, Conversation]] = {}
    for admission in admissions:
        folder = artifacts.admission_dir(output_root, admission.subject_id, admission.hadm_id)
        if not artifacts.is_whole(folder):
            continue
        lines = (folder / artifacts.CONVERSATION).read_text(encoding="utf-8").splitlines()
        turns = [json.loads(line) for line in lines if line.strip()]
        found.setdefault(admission.subject_id, {})[admission.admission_index] = Conversation(
            admission.subject_id, admission.hadm_id, admission.admission_index, turns
        )
    return found


def render_admission(subject_id: int, admission_index: int, conversation: Conversation | None) -> RenderedAdmission:
    """`=== Admission k ===` then one line per turn, `[H+hh:mm] SPEAKER: text` (evidence ids removed from the
    text); an admission without a conversation says so."""
    lines = [f"=== Admission {admission_index} ==="]
    offsets: dict[int, int] = {}
    if conversation is None:
        lines.append("(no conversation was recorded for this admission)")
    else:
        position = len(lines[0]) + 1
        for turn in conversation.turns:
            text = " ".join(EVIDENCE_ID.sub("", turn["text"]).split())
            line = f"[{turn['relative_time']}] {turn['speaker']}: {text}"
            offsets[turn["turn_id"]] = position
            lines.append(line)
            position += len(line) + 1
    return RenderedAdmission(subject_id, admission_index, "\n".join(lines) + "\n", offsets)
