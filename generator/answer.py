"""One admission asked and validated, nothing written: render the prompt, let a `Backend` answer and validate it.

`answer_admission` returns an `Answer` (or None when the admission's complete folder is up to date);
`generator.records.write_answer` writes it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from generator import artifacts
from generator.bounds import AnswerLimits
from generator.context.fit import ContextOverflow, FitRecord, fit_admission
from generator.context.model import NO_MODEL, ModelContext
from generator.conversation import ConversationOutput
from generator.packet import Packet
from generator.prompt import PreviousAdmission, Prompt, render_prompt
from generator.validate import ValidationReport

RESUME_CONTEXT = ("context_window", "token_counter", "prompt_tokens", "output_tokens", "caps", "rows_dropped")


class GenerationConfig(BaseModel):
    """Everything besides the packet and the backend that decides an admission's output."""

    model_config = ConfigDict(frozen=True)

    caps: dict[str, int | None] = {}
    answer_limits: AnswerLimits = AnswerLimits()
    repair_rounds: int = 2
    min_grounding_score: float | None = None
    allowed_endpoints: tuple[str, ...] = ()


STOPPING_ERROR_KINDS = frozenset({"auth", "not_found", "redirect"})  # every later request would fail alike


class AdmissionOutcome(BaseModel):
    """What happened to one admission (returned to the caller, summarised in the patient manifest).

    `locked`: not attempted, because another live run holds the patient's lock.
    """

    subject_id: int
    hadm_id: int
    status: Literal["completed", "failed", "skipped", "locked"]
    error: str | None = None
    error_kind: str | None = None
    attempts: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    grounding_score: float | None = None

    @property
    def stops_run(self) -> bool:
        """A failure that every later request of the run would share (a refused key, a wrong URL)."""
        return self.error_kind in STOPPING_ERROR_KINDS


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
    prompt_tokens: int | None = None  # the round's messages as counted for the window, when it is known
    schema_bounds: dict[str, dict[str, int]] | None = None  # maxItems / maxLength sent with the schema
    id_characters_per_token: float | None = None  # what an evidence id's character cost when sizing those bounds


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
    context: ModelContext  # the model's window and token counter (`NO_MODEL` without a model)
    max_output_tokens: int | None  # what an answer may use at most (the window may leave less)

    def resume_fields(self, config: GenerationConfig) -> dict[str, Any]:
        """The resume key's `model`, `params` and `repair_rounds`."""
        ...

    def describe(self) -> dict[str, Any]:
        """The run record's `llm`: the model's settings, or the template's name."""
        ...

    def answer(
        self,
        packet: Packet,
        previous: PreviousAdmission | None,
        prompt: Prompt,
        config: GenerationConfig,
        fit: FitRecord,
    ) -> BackendAnswer:
        """Answer the prompt about `packet` (fitted as `fit` says) and validate the answer."""
        ...


def resume_key(
    packet_sha256: str, prompt: Prompt, config: GenerationConfig, backend: Backend, fit: FitRecord
) -> dict[str, Any]:
    """Inputs that decide an admission's output; equal keys mean a complete admission need not be redone."""
    return {
        "backend": backend.name,
        **backend.resume_fields(config),
        "min_grounding_score": config.min_grounding_score,
        "answer_limits": config.answer_limits.model_dump(),
        "prompt_template_version": prompt.template_version,
        "packet_sha256": packet_sha256,
        "prompt_sha256": artifacts.sha256_text(prompt.system + "\n" + prompt.user),
        "context": fit.model_dump(include=set(RESUME_CONTEXT)),
    }


class AdmissionInputs:
    """What the warehouse holds for one admission, and its packet's canonical JSON and SHA-256 (made once).

    `reread(caps)` gives the same admission's packet with the tighter caps fitting sets (`Warehouse.recapped`;
    None: the packet cannot be read again, and is sent as it is)."""

    def __init__(
        self,
        packet: Packet,
        unlinked_notes: list[dict[str, Any]],
        reread: Callable[[Mapping[str, int | None]], Packet] | None = None,
    ):
        self.packet = packet
        self.unlinked_notes = unlinked_notes
        self.reread = reread
        self.serialized = artifacts.SerializedPacket(packet.model_dump(mode="json"))


@dataclass
class Answer:
    """One admission asked and validated (or failed), not yet written: everything its folder will hold."""

    inputs: AdmissionInputs
    previous: PreviousAdmission | None
    prompt: Prompt
    fit: FitRecord
    key: dict[str, Any]
    endpoint: str | None
    rounds: list[Round]
    output: ConversationOutput | None
    report: ValidationReport | None
    outcome: AdmissionOutcome


def _up_to_date(final: Path, key: dict[str, Any]) -> bool:
    """The complete folder was made from the same inputs, and holds every file it was written with, unchanged."""
    try:
        same_inputs = artifacts.read_json(final / artifacts.CALL_RECORD)["resume_key"] == key
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return same_inputs and artifacts.is_whole(final)


def answer_admission(
    inputs: AdmissionInputs,
    *,
    previous: PreviousAdmission | None,
    backend: Backend,
    config: GenerationConfig,
    output_root: Path,
    force: bool,
) -> Answer | None:
    """Render and fit, ask (or run the template) and validate, writing nothing; None when the admission's
    complete folder is up to date (`force=False`). `write_answer` writes the result. The caller holds the
    patient's lock."""
    try:
        inputs, prompt, fit = fit_inputs(inputs, previous, backend, config)
    except ContextOverflow as overflow:
        prompt = render_prompt(inputs.packet, previous)
        fit = FitRecord(
            context_window=backend.context.window.tokens,
            window_source=backend.context.window.source,
            token_counter=backend.context.counter.method if backend.context.counter else None,
            output_tokens_requested=backend.max_output_tokens,
            output_tokens=None,
            caps={name: section.cap for name, section in inputs.packet.sections.items()},
        )
        answered = BackendAnswer([], failure=(overflow.kind, str(overflow)))
    else:
        answered = None
    packet = inputs.packet
    key = resume_key(inputs.serialized.sha256, prompt, config, backend, fit)
    ids = {"subject_id": packet.subject_id, "hadm_id": packet.hadm_id}
    final = artifacts.admission_dir(output_root, packet.subject_id, packet.hadm_id)
    artifacts.recover(final)
    if not force and _up_to_date(final, key):
        return None
    if answered is None:
        answered = backend.answer(packet, previous, prompt, config, fit)
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
        fit=fit,
        key=key,
        endpoint=backend.endpoint,
        rounds=answered.rounds,
        output=answered.output,
        report=answered.report,
        outcome=outcome,
    )


def fit_inputs(
    inputs: AdmissionInputs, previous: PreviousAdmission | None, backend: Backend, config: GenerationConfig
) -> tuple[AdmissionInputs, Prompt, FitRecord]:
    """The inputs with the packet fitted to the backend's window, its prompt and the record of the fitting.

    The packet already read serves the requested caps; tighter caps come from `inputs.reread`.
    Raises ContextOverflow when even the smallest prompt does not fit."""
    context = backend.context if inputs.reread is not None else NO_MODEL

    def read(caps: Mapping[str, int | None]) -> Packet:
        if dict(caps) == config.caps or inputs.reread is None:
            return inputs.packet
        return inputs.reread(caps)

    fitted = fit_admission(
        read,
        lambda packet, rendered: render_prompt(packet, previous, rendered),
        caps=config.caps,
        window=context.window,
        counter=context.counter,
        max_output_tokens=backend.max_output_tokens,
    )
    if fitted.packet is not inputs.packet:
        inputs = AdmissionInputs(fitted.packet, inputs.unlinked_notes, inputs.reread)
    return inputs, fitted.prompt, fitted.record
