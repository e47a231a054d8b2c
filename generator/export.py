"""`mimicbench export`: the complete admissions under an output root as one dataset file plus a dataset card.

One record per complete admission folder (`<subject_id>/admissions/<hadm_id>/`; failed attempts and temporary
folders are not exported), read from its artifacts. JSON Lines or Parquet, and a `README.md` beside the file
with provenance, versions, counts and the data-use notice. Both are written atomically.
"""

import io
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from generator import artifacts
from generator.atomic import write_bytes_atomic, write_text_atomic
from generator.conversation import EndOfAdmissionSummary, Turn
from generator.validate import ValidationReport

CARD = "README.md"
DATA_USE_NOTICE = (
    "Conversations generated from credentialed MIMIC-IV and MIMIC-IV-Note data are derived from them and inherit "
    "their terms: the PhysioNet Credentialed Health Data License 1.5.0 and the PhysioNet Credentialed Health Data "
    "Use Agreement 1.5.0. Share them only with people who are credentialed on PhysioNet and have signed the "
    "agreement for these datasets, make no attempt to identify any person, and do not send them to services that "
    "may keep or share them (see https://physionet.org/content/mimiciv/ and PhysioNet's guidance on the responsible "
    "use of MIMIC data with online services)."
)


class ExportError(Exception):
    """Nothing to export, or an admission folder that cannot be read as a record."""


class DatasetRecord(BaseModel):
    """One complete admission: ids, conversation, summary, validation, model and versions."""

    subject_id: int
    hadm_id: int
    data_origin: str
    backend: str
    model: str
    temperature: float | None
    seed: int | None
    max_output_tokens: int | None
    versions: dict[str, str | None]
    packet_sha256: str
    prompt_sha256: str
    conversation: list[Turn]
    end_of_admission_summary: EndOfAdmissionSummary
    grounding_score: float | None
    validation: ValidationReport


class ExportSummary(BaseModel):
    records: int
    patients: int
    failed_not_exported: int
    data_path: Path
    card_path: Path


def read_records(output_root: Path) -> tuple[list[DatasetRecord], list[dict[str, Any]], int]:
    """(records by subject and admission, the warehouse builds they came from, failed admissions left out)."""
    records, builds, failed = [], {}, 0
    for patient in sorted(_numbered(output_root), key=lambda p: int(p.name)):
        folder = patient / "admissions"
        complete = {p.name for p in _numbered(folder)}
        failed += sum(p.name.removesuffix(".failed") not in complete for p in folder.glob("*.failed"))
        for admission in sorted(_numbered(folder), key=lambda p: int(p.name)):
            record, build = _record(admission)
            records.append(record)
            builds[json.dumps(build, sort_keys=True, default=str)] = build
    return records, list(builds.values()), failed


def export_dataset(output_root: Path, out: Path, fmt: Literal["jsonl", "parquet"]) -> ExportSummary:
    """Write the dataset file and its card; raise ExportError when there is nothing to export."""
    records, builds, failed = read_records(output_root)
    if not records:
        raise ExportError(f"No complete admission under {output_root}: run generate-cohort or generate-patient first.")
    rows = [record.model_dump(mode="json") for record in records]
    if fmt == "jsonl":
        write_text_atomic(out, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    else:
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(rows), buffer)
        write_bytes_atomic(out, buffer.getvalue())
    card = out.with_name(CARD)
    write_text_atomic(card, dataset_card(records, builds, failed, output_root=output_root, data_file=out.name))
    patients = len({r.subject_id for r in records})
    return ExportSummary(
        records=len(records), patients=patients, failed_not_exported=failed, data_path=out, card_path=card
    )


def dataset_card(
    records: list[DatasetRecord], builds: list[dict[str, Any]], failed: int, *, output_root: Path, data_file: str
) -> str:
    """The README.md of an export: what it holds, where it came from, and the terms it inherits."""
    origins = sorted({r.data_origin for r in records})
    if origins == ["synthetic"]:
        origin_note = (
            "This export was built from synthetic data (`data_origin: synthetic`) and holds no patient data. "
            "The notice below applies as soon as the same pipeline runs on credentialed MIMIC."
        )
    else:
        origin_note = "**This export holds conversations built from credentialed MIMIC data.**"
    stated = sum(r.validation.numbers_stated for r in records)
    grounded = sum(r.validation.numbers_grounded for r in records)
    lines = [
        f"# mimicbench conversations: `{data_file}`",
        "",
        "Grounded inpatient doctor-patient conversations, one record per admission, with the end-of-admission "
        f"summary and the validation results. Exported by `mimicbench export` from `{output_root}` on "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        "## Data use",
        "",
        origin_note,
        "",
        DATA_USE_NOTICE,
        "",
        "## Counts",
        "",
        "| | |",
        "|---|---:|",
        f"| admissions (records) | {len(records)} |",
        f"| patients | {len({r.subject_id for r in records})} |",
        f"| conversation turns | {sum(len(r.conversation) for r in records)} |",
        f"| failed admissions (not exported) | {failed} |",
        f"| numbers stated / grounded in cited rows | {stated} / {grounded} |",
        "",
        "## Versions",
        "",
        *_counted("data origin", Counter(r.data_origin for r in records)),
        *_counted("backend / model", Counter(f"{r.backend} / {r.model}" for r in records)),
        *_counted("prompt template", Counter(r.versions["prompt_template"] for r in records)),
        *_counted("mimicbench", Counter(r.versions["mimicbench"] for r in records)),
        "",
        "## Provenance",
        "",
        "Each record keeps the SHA-256 of its input packet (`packet_sha256`, as in the admission's `packet.json`) and "
        "of its prompt (`prompt_sha256`); the admission folder under the output root holds the packet, the prompt "
        "and every model call. Warehouse builds the records came from:",
        "",
        "```json",
        json.dumps(builds, indent=2, default=str),
        "```",
        "",
        "## Fields",
        "",
        "`subject_id`, `hadm_id` (MIMIC ids), `data_origin`, `backend` (`openai` or the deterministic `template` "
        "baseline), `model`, `temperature`, `seed`, `max_output_tokens`, `versions`, `packet_sha256`, "
        "`prompt_sha256`, `conversation` (turns: `turn_id`, `speaker`, `relative_time` as `H+hh:mm` since "
        "admission, `text`, `evidence_eids`), `end_of_admission_summary`, `grounding_score` (share of numbers "
        "stated in turns that appear in the rows they cite) and `validation` (every rule's outcome).",
        "",
    ]
    return "\n".join(lines)


def _counted(label: str, counts: Counter) -> list[str]:
    return [f"- {label}: " + ", ".join(f"`{name}` ({n})" for name, n in sorted(counts.items(), key=str))]


def _numbered(folder: Path) -> list[Path]:
    """Sub-folders named by a MIMIC id (temporary and `.failed` folders excluded)."""
    return [p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()] if folder.is_dir() else []


def _record(folder: Path) -> tuple[DatasetRecord, dict[str, Any]]:
    if not artifacts.is_whole(folder):
        raise ExportError(
            f"{folder} is damaged: a file its {artifacts.FILES_MANIFEST} lists is missing or changed. Rerun "
            "generate-cohort (or generate-patient) to redo it, then export again."
        )
    try:
        call = artifacts.read_json(folder / artifacts.CALL_RECORD)
        summary = artifacts.read_json(folder / artifacts.SUMMARY)
        inputs = artifacts.read_json(folder / artifacts.INPUT_MANIFEST)
        turns = [json.loads(line) for line in (folder / artifacts.CONVERSATION).read_text("utf-8").splitlines()]
        key, build = call["resume_key"], inputs["warehouse_build"]
        record = DatasetRecord(
            subject_id=call["subject_id"],
            hadm_id=call["hadm_id"],
            data_origin=inputs["data_origin"],
            backend=key["backend"],
            model=key["model"],
            temperature=key["params"].get("temperature"),
            seed=key["params"].get("seed"),
            max_output_tokens=key["params"].get("max_output_tokens"),
            versions={
                "prompt_template": key["prompt_template_version"],
                "mimicbench": call["mimicbench_version"],
                "mimic_iv": build.get("mimic_iv_version"),
                "mimic_iv_note": build.get("mimic_iv_note_version"),
                "warehouse_built_at_utc": str(build.get("built_at_utc")),
            },
            packet_sha256=key["packet_sha256"],
            prompt_sha256=key["prompt_sha256"],
            conversation=turns,
            end_of_admission_summary=summary["end_of_admission_summary"],
            grounding_score=summary["grounding_score"],
            validation=summary["validation"],
        )
    except (OSError, KeyError, ValueError) as error:  # ValueError: bad JSON or a pydantic ValidationError
        raise ExportError(f"Cannot read {folder} as a dataset record ({error}); regenerate that admission.") from error
    return record, build
