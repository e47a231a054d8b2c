"""One admission asked and validated, nothing written: render the prompt, let a `Backend` answer and validate it.

`answer_admission` returns an `Answer` (or None when the admission's complete folder is up to date);
`generator.records.write_answer` writes it.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from generator import artifacts
from generator.conversation import ConversationOutput
from generator.packet import Packet
from generator.prompt import PreviousAdmission, Prompt, render_prompt
from generator.validate import ValidationReport


class GenerationConfig(BaseModel):
    """Everything besides the packet and the backend that decides an admission's output."""

    model_config = ConfigDict(frozen=True)

    caps: dict[str, int | None] = {}
    repair_rounds: int = 2
    min_grounding_score: float | None = None
    allowed_endpoints: tuple[str, ...] = ()


class AdmissionOutcome(BaseModel):
    """What happened to one admission (returned to the caller, summarised in the patient manifest)."""

    subject_id: int
    hadm_id: int
    status: Literal["completed", "failed", "skipped"]
    error: str | None = None
    error_kind: str | None = None
    attempts: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    grounding_score: float | None = None


class Round(BaseModel):
    """One answer of the model (or the template) and its validation; a repair round carries its request."""

    round: int
    repair_message: str | None
    attempts: list[dict[str, Any]]
    notes: list[str]
    params_sent: dict[str, Any]
    finish_reason: str | None
    response_text: str | None
    errors: list[str]


@dataclass
class BackendAnswer:
    """The rounds a backend took for one admission, and its valid answer or why there is none."""

    rounds: list[Round]
    output: ConversationOutput | None = None
    report: ValidationReport | None = None
    failure: tuple[str, str] | None = None  # (error kind, message)


class Backend(Protocol):
    """What answers an admission's prompt: `ModelBackend` (a model behind an endpoint) or `TemplateBackend`."""

    name: str  # `backend` in the records: "openai" or "template"
    model: str | None  # the model requests go to; None without a model
    endpoint: str | None  # the URL requests go to; None without a model

    def resume_fields(self, config: GenerationConfig) -> dict[str, Any]:
        """The resume key's `model`, `params` and `repair_rounds`."""
        ...

    def describe(self) -> dict[str, Any]:
        """The run record's `llm`: the model's settings, or the template's name."""
        ...

    def answer(
        self, packet: Packet, previous: PreviousAdmission | None, prompt: Prompt, config: GenerationConfig
    ) -> BackendAnswer:
        """Answer the prompt about `packet` and validate the answer."""
        ...


def resume_key(packet_sha256: str, prompt: Prompt, config: GenerationConfig, backend: Backend) -> dict[str, Any]:
    """Inputs that decide an admission's output; equal keys mean a complete admission need not be redone."""
    return {
        "backend": backend.name,
        **backend.resume_fields(config),
        "min_grounding_score": config.min_grounding_score,
        "prompt_template_version": prompt.template_version,
        "packet_sha256": packet_sha256,
        "prompt_sha256": artifacts.sha256_text(prompt.system + "\n" + prompt.user),
    }


class AdmissionInputs:
    """What the warehouse holds for one admission, and its packet's canonical JSON and SHA-256 (made once)."""

    def __init__(self, packet: Packet, unlinked_notes: list[dict[str, Any]]):
        self.packet = packet
        self.unlinked_notes = unlinked_notes
        self.serialized = artifacts.SerializedPacket(packet.model_dump(mode="json"))


@dataclass
class Answer:
    """One admission asked and validated (or failed), not yet written: everything its folder will hold."""

    inputs: AdmissionInputs
    previous: PreviousAdmission | None
    prompt: Prompt
    key: dict[str, Any]
    endpoint: str | None
    rounds: list[Round]
    output: ConversationOutput | None
    report: ValidationReport | None
    outcome: AdmissionOutcome


def answer_admission(
    inputs: AdmissionInputs,
    *,
    previous: PreviousAdmission | None,
    backend: Backend,
    config: GenerationConfig,
    output_root: Path,
    force: bool,
) -> Answer | None:
    """Render, ask (or run the template) and validate, writing nothing; None when the admission's complete
    folder is up to date (`force=False`). `write_answer` writes the result."""
    packet = inputs.packet
    prompt = render_prompt(packet, previous)
    key = resume_key(inputs.serialized.sha256, prompt, config, backend)
    ids = {"subject_id": packet.subject_id, "hadm_id": packet.hadm_id}
    final = artifacts.admission_dir(output_root, packet.subject_id, packet.hadm_id)
    record = final / artifacts.CALL_RECORD
    artifacts.recover(final)
    if not force and record.exists() and artifacts.read_json(record)["resume_key"] == key:
        return None
    answered = backend.answer(packet, previous, prompt, config)
    attempts = [a for r in answered.rounds for a in r.attempts]
    outcome = AdmissionOutcome(
        **ids,
        status="failed" if answered.failure else "completed",
        attempts=len(attempts),
        input_tokens=sum(a.get("input_tokens") or 0 for a in attempts),
        output_tokens=sum(a.get("output_tokens") or 0 for a in attempts),
        grounding_score=answered.report.grounding_score if answered.report else None,
    )
    if answered.failure:
        outcome.error_kind, outcome.error = answered.failure
    return Answer(
        inputs=inputs,
        previous=previous,
        prompt=prompt,
        key=key,
        endpoint=backend.endpoint,
        rounds=answered.rounds,
        output=answered.output,
        report=answered.report,
        outcome=outcome,
    )
