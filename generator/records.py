"""What the JSON records of an admission folder and a patient manifest hold, and `write_answer`, which writes them.

The files and folders themselves (names, atomic admission folders, the patient files) are `generator.artifacts`.
"""

import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openai

import generator
from generator import artifacts
from generator.answer import Answer, Backend, GenerationConfig
from generator.packet import Packet
from generator.prompt import TEMPLATE_VERSION


def write_answer(answer: Answer, *, output_root: Path, caps: dict[str, int | None], build_info: dict[str, Any]) -> None:
    """The admission's folder, renamed into place when complete; a failed answer's records go to `.failed`."""
    packet, outcome = answer.inputs.packet, answer.outcome
    ids = {"subject_id": packet.subject_id, "hadm_id": packet.hadm_id}
    with artifacts.AdmissionWriter(output_root, packet.subject_id, packet.hadm_id) as writer:
        writer.text(artifacts.PACKET, answer.inputs.serialized.file_text() + "\n")
        writer.json(
            artifacts.INPUT_MANIFEST,
            input_data_manifest(packet, answer.key["packet_sha256"], caps, build_info),
        )
        if answer.inputs.unlinked_notes:
            writer.canonical(artifacts.UNLINKED_NOTES, {"radiology_notes": answer.inputs.unlinked_notes})
        writer.json(artifacts.PROMPT_RECORD, _prompt_record(answer))
        writer.json(
            artifacts.RAW_OUTPUT,
            {
                "rounds": [
                    {"round": r.round, "finish_reason": r.finish_reason, "response_text": r.response_text}
                    for r in answer.rounds
                ]
            },
        )
        writer.json(
            artifacts.CALL_RECORD,
            {
                **ids,
                "status": outcome.status,
                "resume_key": answer.key,
                "mimicbench_version": generator.__version__,
                "endpoint": answer.endpoint,
                "rounds": [r.model_dump() for r in answer.rounds],
            },
        )
        if outcome.status == "failed":
            writer.json(artifacts.FAILURE, {**ids, "error_kind": outcome.error_kind, "error": outcome.error})
            writer.fail()
            return
        assert answer.output is not None and answer.report is not None
        writer.jsonl(artifacts.CONVERSATION, [turn.model_dump() for turn in answer.output.conversation])
        writer.json(
            artifacts.SUMMARY,
            {
                **ids,
                "backend": answer.key["backend"],
                "model": answer.key["model"],
                "prompt_template_version": answer.prompt.template_version,
                "end_of_admission_summary": answer.output.end_of_admission_summary.model_dump(),
                "grounding_score": answer.report.grounding_score,
                "validation": answer.report.model_dump(),
            },
        )
        writer.commit()


def _prompt_record(answer: Answer) -> dict[str, Any]:
    """The messages sent, their hashes, the previous admission recalled and how the prompt was fitted (`context`:
    window, counted tokens, caps used, rows dropped per section, output budget)."""
    prompt, previous, key = answer.prompt, answer.previous, answer.key
    return {
        "prompt_template_version": prompt.template_version,
        "previous_admission": None
        if previous is None
        else {"hadm_id": previous.hadm_id, "summary_path": f"../{previous.hadm_id}/{artifacts.SUMMARY}"},
        "messages": prompt.messages(),
        "hashes": {
            "packet_sha256": key["packet_sha256"],
            "system_sha256": artifacts.sha256_text(prompt.system),
            "user_sha256": artifacts.sha256_text(prompt.user),
            "prompt_sha256": key["prompt_sha256"],
        },
        "context": answer.fit.model_dump(),
    }


def run_record(config: GenerationConfig, backend: Backend, build_info: dict[str, Any]) -> dict[str, Any]:
    """The run's configuration and versions, as each patient manifest holds them."""
    return {
        "generated_at_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "config": {
            "backend": backend.name,
            **config.model_dump(mode="json"),
            "llm": backend.describe(),
            "endpoint": backend.endpoint,
        },
        "versions": {
            "mimicbench": generator.__version__,
            "prompt_template": TEMPLATE_VERSION,
            "openai_sdk": openai.__version__,
            "python": platform.python_version(),
            "warehouse_build": build_info,
        },
    }


def input_data_manifest(
    packet: Packet, packet_sha256: str, caps: dict[str, int | None], build_info: dict[str, Any]
) -> dict[str, Any]:
    """Rows seen and kept per section, how rows were linked, the caps asked for, the warehouse build."""
    sections = {}
    for name, section in packet.sections.items():
        methods: dict[str, int] = {}
        for row in section.rows:
            if row.get("link_method"):
                methods[row["link_method"]] = methods.get(row["link_method"], 0) + 1
        sections[name] = {
            "rows_seen": section.rows_seen,
            "rows_kept": section.rows_kept,
            "truncated": section.truncated,
            "cap": section.cap,
            "link_methods": dict(sorted(methods.items())),
        }
    return {
        "subject_id": packet.subject_id,
        "hadm_id": packet.hadm_id,
        "data_origin": packet.data_origin,
        "packet_sha256": packet_sha256,
        "caps_requested": caps,
        "sections": sections,
        "evidence_ids": len(packet.evidence_ids()),
        "warehouse_build": build_info,
    }
