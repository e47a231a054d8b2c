"""Reading an output root: the files `generate-patient` and `generate-cohort` leave on disk, and nothing else.

The report depends on the file names and keys below (the layout `generator/artifacts.py` writes), never on the
generator's classes, so it reads any output root with these files:

    run_report.json                                   generate-cohort's report (optional)
    run_report.merged.json                            its shards' reports merged by `report merge` (optional)
    <subject_id>/patient_manifest.json                the patient's admissions and their status (optional)
    <subject_id>/admissions/<hadm_id>/                a complete admission
    <subject_id>/admissions/<hadm_id>.failed/         the records of its latest failed attempt
    <qa dir>/items.jsonl                              `qa build`'s items (optional, `--qa-dir`)
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.view import ViewError

RUN_REPORT = "run_report.json"
MERGED_RUN_REPORT = "run_report.merged.json"
PATIENT_MANIFEST = "patient_manifest.json"
ADMISSIONS = "admissions"
FAILED_SUFFIX = ".failed"
PACKET = "packet.json"
INPUT_MANIFEST = "input_data_manifest.json"
PROMPT_RECORD = "prompt_record.json"
CALL_RECORD = "model_call_record.json"
CONVERSATION = "conversation.jsonl"
SUMMARY = "summary.json"
FAILURE = "failure.json"
QA_ITEMS = "items.jsonl"


@dataclass(frozen=True)
class AdmissionFolder:
    """Where one admission's files are: its complete folder, its failed attempt's folder, or both."""

    subject_id: int
    hadm_id: int
    complete: Path | None
    failed: Path | None


@dataclass
class Admission:
    """One admission's files, parsed. The packet and records come from the complete folder when there is one."""

    folder: AdmissionFolder
    packet: dict[str, Any]
    inputs: dict[str, Any]
    prompt: dict[str, Any]
    call: dict[str, Any]
    conversation: list[dict[str, Any]] | None = None
    summary: dict[str, Any] | None = None
    failure: dict[str, Any] | None = None
    failed_call: dict[str, Any] | None = None

    @property
    def status(self) -> str:
        return "completed" if self.folder.complete else "failed"


@dataclass(frozen=True)
class CallFigures:
    """What an admission's model call record adds up to."""

    rounds: int
    requests: int
    input_tokens: int
    output_tokens: int
    model_s: float  # the requests' latencies summed


@dataclass
class AdmissionEntry:
    """One admission as the index, patient and run pages list it (small: built once per admission page)."""

    subject_id: int
    hadm_id: int
    status: str
    admittime: str | None
    dischtime: str | None
    data_origin: str
    model: str
    backend: str
    figures: CallFigures
    turns: int | None
    grounding_score: float | None
    numbers_stated: int | None
    numbers_ungrounded: int | None
    error_kind: str | None
    error: str | None
    summary_text: str | None
    admission_type: str | None
    first_diagnosis: str | None


def find_admissions(output_root: Path) -> list[AdmissionFolder]:
    """Every admission under the output root (complete or failed), by subject then hadm id."""
    if not output_root.is_dir():
        raise ViewError(f"No output root at {output_root}: pass the --output-root that generate-cohort wrote.")
    folders: dict[tuple[int, int], dict[str, Path]] = {}
    for admissions in output_root.glob(f"*/{ADMISSIONS}"):
        if not admissions.parent.name.isdigit():
            continue
        subject_id = int(admissions.parent.name)
        for path in admissions.iterdir():
            name = path.name.removesuffix(FAILED_SUFFIX)
            if path.is_dir() and name.isdigit():
                kind = "failed" if path.name.endswith(FAILED_SUFFIX) else "complete"
                folders.setdefault((subject_id, int(name)), {})[kind] = path
    return [
        AdmissionFolder(subject_id, hadm_id, paths.get("complete"), paths.get("failed"))
        for (subject_id, hadm_id), paths in sorted(folders.items())
    ]


def read_admission(folder: AdmissionFolder) -> Admission:
    """The admission's files; a failed attempt's failure record and call record come along when present."""
    main = folder.complete or folder.failed
    assert main is not None
    admission = Admission(
        folder=folder,
        packet=read_json(main / PACKET)["packet"],
        inputs=read_json(main / INPUT_MANIFEST),
        prompt=read_json(main / PROMPT_RECORD),
        call=read_json(main / CALL_RECORD),
    )
    if folder.complete:
        admission.conversation = read_jsonl(folder.complete / CONVERSATION)
        admission.summary = read_json(folder.complete / SUMMARY)
    if folder.failed:
        admission.failure = read_json(folder.failed / FAILURE)
        admission.failed_call = read_json(folder.failed / CALL_RECORD) if folder.complete else None
    return admission


def call_figures(call: dict[str, Any]) -> CallFigures:
    attempts = [attempt for r in call.get("rounds", []) for attempt in r.get("attempts", [])]
    return CallFigures(
        rounds=len(call.get("rounds", [])),
        requests=len(attempts),
        input_tokens=sum(a.get("input_tokens") or 0 for a in attempts),
        output_tokens=sum(a.get("output_tokens") or 0 for a in attempts),
        model_s=round(sum(a.get("latency_ms") or 0 for a in attempts) / 1000, 3),
    )


def admission_entry(admission: Admission) -> AdmissionEntry:
    packet, summary, key = admission.packet, admission.summary or {}, admission.call.get("resume_key", {})
    validation = summary.get("validation") or {}
    diagnoses = packet.get("sections", {}).get("diagnoses", {}).get("rows", [])
    return AdmissionEntry(
        subject_id=admission.folder.subject_id,
        hadm_id=admission.folder.hadm_id,
        status=admission.status,
        admittime=packet.get("admittime"),
        dischtime=packet.get("dischtime"),
        data_origin=packet.get("data_origin", "credentialed"),
        model=key.get("model", "?"),
        backend=key.get("backend", "?"),
        figures=call_figures(admission.call),
        turns=len(admission.conversation) if admission.conversation is not None else None,
        grounding_score=summary.get("grounding_score"),
        numbers_stated=validation.get("numbers_stated"),
        numbers_ungrounded=len(validation["ungrounded_numbers"]) if "ungrounded_numbers" in validation else None,
        error_kind=(admission.failure or {}).get("error_kind"),
        error=(admission.failure or {}).get("error"),
        summary_text=(summary.get("end_of_admission_summary") or {}).get("one_paragraph_summary"),
        admission_type=(packet.get("admission") or {}).get("admission_type"),
        first_diagnosis=diagnoses[0].get("long_title") if diagnoses else None,
    )


def read_run_report(output_root: Path) -> dict[str, Any] | None:
    """generate-cohort's report; on a root that shards wrote, the whole cohort's part of their merged report."""
    path = output_root / RUN_REPORT
    if path.is_file():
        return read_json(path)
    merged = output_root / MERGED_RUN_REPORT
    if not merged.is_file():
        return None
    overall = read_json(merged)["overall"]
    missing = ", ".join(f"{k}/{overall['shards']}" for k in overall["shards_missing"])
    message = f"{overall['shards']} shards' reports merged" + (f"; none yet from shard {missing}" if missing else "")
    return overall | {"message": message}


def read_patient_manifest(output_root: Path, subject_id: int) -> dict[str, Any] | None:
    path = output_root / str(subject_id) / PATIENT_MANIFEST
    return read_json(path) if path.is_file() else None


def read_qa_questions(qa_dir: Path) -> dict[int, dict[int, list[dict[str, Any]]]]:
    """The questions of a qa folder that conversations state, by admission and stating turn (once each, whatever
    the buckets): question, family, item id and gold answer."""
    by_turn: dict[int, dict[int, list[dict[str, Any]]]] = {}
    seen: set[tuple[str, int, int]] = set()
    for item in read_jsonl(qa_dir / QA_ITEMS):
        if item.get("source") != "record":
            continue
        for turn in item.get("said_turns") or []:
            key = (item["item_id"], turn["hadm_id"], turn["turn_id"])
            if key in seen:
                continue
            seen.add(key)
            gold = " ".join(str(v) for v in (item.get("gold_text"), item.get("gold_unit")) if v)
            question = {
                "item_id": item["item_id"],
                "family": item["family"],
                "question": item["question"],
                "gold": gold,
            }
            by_turn.setdefault(turn["hadm_id"], {}).setdefault(turn["turn_id"], []).append(question)
    return by_turn


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ViewError(f"{path} is missing: generate this admission again or remove its folder.") from None
    except json.JSONDecodeError as error:
        raise ViewError(
            f"{path} line {error.lineno} column {error.colno} is not valid JSON ({error.msg}): "
            "generate this admission again or remove its folder."
        ) from None


def read_jsonl(path: Path) -> list[Any]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ViewError(f"{path} is missing: generate this admission again or remove its folder.") from None
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise ViewError(
                f"{path} line {number} column {error.colno} is not valid JSON ({error.msg}): "
                "generate this admission again or remove its folder."
            ) from None
    return rows
