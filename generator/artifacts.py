"""Files on disk: per-admission folders written atomically, and the per-patient files derived from them.

Layout under the output root (paths inside files are relative to the patient folder):

    <subject_id>/admissions/<hadm_id>/         complete admissions only (packet.json ... summary.json)
    <subject_id>/admissions/<hadm_id>.failed/  the records of the latest failed attempt, if any
    <subject_id>/{conversation_details.jsonl, conversation_only.json, patient_manifest.json}
    <subject_id>/.lock                         held by the run working on the patient (`patient_lock`)

An admission is written into a hidden temporary sibling folder and renamed into place when complete, so a
reader (or a resumed run) sees the previous complete folder or the new one, never a half-written one. Its last
file, `files_manifest.json`, lists every other file with its size and SHA-256: a folder is complete only when
they all match (`is_whole`), so a damaged one is redone rather than trusted. Only the run holding a patient's
lock touches the patient's folders, so cleaning up after a crash never removes another live run's work.
"""

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.atomic import write_json_atomic, write_text_atomic
from generator.locks import exclusive
from generator.prompt import canonical_json

PACKET = "packet.json"
INPUT_MANIFEST = "input_data_manifest.json"
PROMPT_RECORD = "prompt_record.json"
CALL_RECORD = "model_call_record.json"
RAW_OUTPUT = "raw_model_output.json"
CONVERSATION = "conversation.jsonl"
SUMMARY = "summary.json"
UNLINKED_NOTES = "unlinked_notes.json"
FAILURE = "failure.json"
CONVERSATION_DETAILS = "conversation_details.jsonl"
CONVERSATION_ONLY = "conversation_only.json"
PATIENT_MANIFEST = "patient_manifest.json"
FILES_MANIFEST = "files_manifest.json"
PATIENT_LOCK = ".lock"


class OutputNotWritable(Exception):
    """The output location cannot be written; the message names it and says what to do."""


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def packet_sha256(packet_json: dict[str, Any]) -> str:
    """SHA-256 of the packet's canonical JSON (what `packet.json` stores under `packet`)."""
    return sha256_text(canonical_json(packet_json))


class SerializedPacket:
    """A packet's canonical JSON and its SHA-256, computed once (the packet is the biggest thing serialized)."""

    def __init__(self, packet_json: dict[str, Any]):
        self.text = canonical_json(packet_json)
        self.sha256 = sha256_text(self.text)

    def file_text(self) -> str:
        """`packet.json`: the same bytes as `canonical_json(packet_file(packet_json, sha256))`, without re-encoding."""
        # canonical_json sorts keys: "packet" comes before "packet_sha256"
        return f'{{"packet":{self.text},"packet_sha256":{json.dumps(self.sha256)}}}'


def patient_dir(output_root: Path, subject_id: int) -> Path:
    return output_root / str(subject_id)


def admission_dir(output_root: Path, subject_id: int, hadm_id: int) -> Path:
    return patient_dir(output_root, subject_id) / "admissions" / str(hadm_id)


def failed_dir(output_root: Path, subject_id: int, hadm_id: int) -> Path:
    return admission_dir(output_root, subject_id, hadm_id).with_name(f"{hadm_id}.failed")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def patient_lock(output_root: Path, subject_id: int) -> contextlib.AbstractContextManager[None]:
    """Hold the patient's lock while working on its folders; `locks.Busy` if another live run holds it."""
    return exclusive(patient_dir(output_root, subject_id) / PATIENT_LOCK, f"patient {subject_id}")


def check_writable(folder: Path) -> None:
    """Make `folder` and write a file into it, or raise `OutputNotWritable`: checked before any model request."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".write-check-")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise OutputNotWritable(
            f"Cannot write into {folder} ({error.strerror or error}): pass a folder you can write to."
        ) from None


def is_whole(folder: Path) -> bool:
    """True when `folder` holds every file its files manifest lists, each with the size and SHA-256 listed."""
    try:
        listed = read_json(folder / FILES_MANIFEST)["files"]
        for name, expected in listed.items():
            data = (folder / name).read_bytes()
            if len(data) != expected["bytes"] or hashlib.sha256(data).hexdigest() != expected["sha256"]:
                return False
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return bool(listed)


class AdmissionWriter:
    """Collects one admission's files in a temporary folder; `commit` or `fail` moves them into place.

    Used as a context manager: leaving it without either (an exception) removes the temporary folder. The caller
    holds the patient's lock (`patient_lock`).
    """

    def __init__(self, output_root: Path, subject_id: int, hadm_id: int):
        self.final = admission_dir(output_root, subject_id, hadm_id)
        self.failed = failed_dir(output_root, subject_id, hadm_id)
        self.final.parent.mkdir(parents=True, exist_ok=True)
        recover(self.final)
        self.temp = self.final.with_name(f".{hadm_id}.tmp-{uuid.uuid4().hex}")
        self.temp.mkdir()
        self._written: dict[str, dict[str, Any]] = {}

    def __enter__(self) -> "AdmissionWriter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        shutil.rmtree(self.temp, ignore_errors=True)

    def text(self, name: str, text: str) -> None:
        """Write and fsync one file: durable before `commit` or `fail` renames the folder into place.

        Written and synced through one descriptor (opening each file again to fsync it cost as much as the write).
        """
        data = text.encode("utf-8")
        self._written[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        self._write(name, data)

    def _write(self, name: str, data: bytes) -> None:
        handle = os.open(self.temp / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
            os.fsync(handle)
        finally:
            os.close(handle)

    def json(self, name: str, value: Any) -> None:
        self.text(name, json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")

    def canonical(self, name: str, value: Any) -> None:
        """Canonical JSON on one line: for the big files (packet, notes), fast to write and to hash-check."""
        self.text(name, canonical_json(value) + "\n")

    def jsonl(self, name: str, rows: Iterable[Any]) -> None:
        self.text(name, "".join(canonical_json(row) + "\n" for row in rows))

    def commit(self) -> None:
        """Replace the admission folder with the new one; a stale failure record goes away."""
        self._seal()
        _replace_dir(self.temp, self.final)
        shutil.rmtree(self.failed, ignore_errors=True)

    def fail(self) -> None:
        """Keep this attempt's records as `<hadm_id>.failed`; an earlier complete folder stays untouched."""
        self._seal()
        _replace_dir(self.temp, self.failed)

    def _seal(self) -> None:
        """Write the files manifest, last: the list of every file written, with its size and SHA-256."""
        manifest = {"files": dict(sorted(self._written.items()))}
        self._write(FILES_MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))


def _replace_dir(source: Path, target: Path) -> None:
    """Rename `source` over `target`; the old target lives on as `.<name>.old` until the swap is done.

    Every file in `source` was fsynced when written (`AdmissionWriter.text`), so the renamed folder never holds a
    file that a crash could leave empty or partial.
    """
    backup = target.with_name(f".{target.name}.old")
    shutil.rmtree(backup, ignore_errors=True)
    if target.exists():
        target.rename(backup)
    source.rename(target)
    shutil.rmtree(backup, ignore_errors=True)


def recover(target: Path) -> None:
    """After a crash between the two renames of `_replace_dir`, bring the old folder back, and remove what
    crashed runs left half-written. Only under the patient's lock: no other live run is writing there."""
    backup = target.with_name(f".{target.name}.old")
    if backup.exists() and not target.exists():
        backup.rename(target)
    for stale in target.parent.glob(f".{target.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)


def packet_file(packet_json: dict[str, Any], sha256: str) -> dict[str, Any]:
    return {"packet_sha256": sha256, "packet": packet_json}


def write_patient_files(
    output_root: Path, subject_id: int, admissions: list[dict[str, Any]], run: dict[str, Any]
) -> None:
    """Rewrite the patient files from the complete admission folders on disk, in admission order.

    `admissions`: one entry per admission of the patient ({hadm_id, admittime, ...}); its status comes from
    disk (`completed`, `failed`, `damaged` or `not_generated`), so a single-admission run keeps the others listed.
    """
    root = patient_dir(output_root, subject_id)
    details, only, entries = [], [], []
    for admission in admissions:
        hadm_id = admission["hadm_id"]
        final, failed = admission_dir(output_root, subject_id, hadm_id), failed_dir(output_root, subject_id, hadm_id)
        entry = {**admission, "status": "not_generated"}
        if final.exists() and not is_whole(final):
            entry["status"] = "damaged"  # files missing or changed since written; the next run redoes it
        elif final.exists():
            turns = [json.loads(line) for line in (final / CONVERSATION).read_text(encoding="utf-8").splitlines()]
            record = read_json(final / CALL_RECORD)
            backend = record["resume_key"]["backend"]
            details += [{"subject_id": subject_id, "hadm_id": hadm_id, "backend": backend, **turn} for turn in turns]
            only.append(
                {"hadm_id": hadm_id, "conversation": [{"speaker": t["speaker"], "text": t["text"]} for t in turns]}
            )
            entry |= {"status": "completed", "path": final.relative_to(root).as_posix(), **record["resume_key"]}
        if failed.exists():
            failure = read_json(failed / FAILURE)
            entry |= {"failed_attempt_path": failed.relative_to(root).as_posix(), "last_error": failure["error"]}
            if entry["status"] == "not_generated":
                entry["status"] = "failed"
        entries.append(entry)
    write_text_atomic(root / CONVERSATION_DETAILS, "".join(canonical_json(row) + "\n" for row in details))
    write_json_atomic(root / CONVERSATION_ONLY, only)
    write_json_atomic(root / PATIENT_MANIFEST, {"subject_id": subject_id, **run, "admissions": entries})
