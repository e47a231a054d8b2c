"""One admission asked and validated, nothing written: render the prompt, answer it, validate, repair.

`answer_admission` returns an `Answer` (or None when the admission's complete folder is up to date);
`generator.records.write_answer` writes it.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from generator import artifacts
from generator.conversation import ConversationOutput
from generator.governance import check_endpoint
from generator.llm import AnswerError, LLMClient, LLMError, parse_json_answer
from generator.packet import Packet
from generator.prompt import PreviousAdmission, Prompt, render_prompt, render_repair
from generator.template_backend import MODEL_NAME, template_answer
from generator.validate import ValidationReport, validate_answer


class GenerationConfig(BaseModel):
    """Everything besides the packet that decides an admission's output."""

    model_config = ConfigDict(frozen=True)

    backend: Literal["openai", "template"] = "openai"
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


def resume_key(packet_sha256: str, prompt: Prompt, config: GenerationConfig, llm: LLMClient | None) -> dict[str, Any]:
    """Inputs that decide an admission's output; equal keys mean a complete admission need not be redone."""
    settings = llm.settings if llm and config.backend == "openai" else None
    return {
        "backend": config.backend,
        "model": settings.model if settings else MODEL_NAME,
        "params": settings.model_dump(include={"temperature", "seed", "max_output_tokens"}) if settings else {},
        "repair_rounds": config.repair_rounds if settings else 0,
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
    llm: LLMClient | None,
    config: GenerationConfig,
    output_root: Path,
    force: bool,
) -> Answer | None:
    """Render, ask (or run the template) and validate, writing nothing; None when the admission's complete
    folder is up to date (`force=False`). `write_answer` writes the result."""
    packet = inputs.packet
    prompt = render_prompt(packet, previous)
    key = resume_key(inputs.serialized.sha256, prompt, config, llm)
    ids = {"subject_id": packet.subject_id, "hadm_id": packet.hadm_id}
    final = artifacts.admission_dir(output_root, packet.subject_id, packet.hadm_id)
    record = final / artifacts.CALL_RECORD
    artifacts.recover(final)
    if not force and record.exists() and artifacts.read_json(record)["resume_key"] == key:
        return None
    if config.backend == "template":
        output, report, rounds, failure = _template_rounds(packet, previous, config)
    else:
        if llm is None:
            raise ValueError("the openai backend needs an LLMClient")
        check_endpoint(llm.endpoint, packet.data_origin, config.allowed_endpoints)
        output, report, rounds, failure = _model_rounds(packet, previous, prompt, llm, config)
    attempts = [a for r in rounds for a in r.attempts]
    outcome = AdmissionOutcome(
        **ids,
        status="failed" if failure else "completed",
        attempts=len(attempts),
        input_tokens=sum(a.get("input_tokens") or 0 for a in attempts),
        output_tokens=sum(a.get("output_tokens") or 0 for a in attempts),
        grounding_score=report.grounding_score if report else None,
    )
    if failure:
        outcome.error_kind, outcome.error = failure
    return Answer(
        inputs=inputs,
        previous=previous,
        prompt=prompt,
        key=key,
        endpoint=llm.endpoint if llm and config.backend == "openai" else None,
        rounds=rounds,
        output=output,
        report=report,
        outcome=outcome,
    )


def _template_rounds(
    packet: Packet, previous: PreviousAdmission | None, config: GenerationConfig
) -> tuple[ConversationOutput | None, ValidationReport | None, list[Round], tuple[str, str] | None]:
    output = template_answer(packet)
    text = output.model_dump_json()
    _, report = validate_answer(output.model_dump(), packet, previous, min_grounding_score=config.min_grounding_score)
    rounds = [
        Round(
            round=1,
            repair_message=None,
            attempts=[],
            notes=["deterministic template backend, no model call"],
            params_sent={},
            finish_reason=None,
            response_text=text,
            errors=report.errors,
        )
    ]
    failure = None if report.ok else ("validation", "template answer failed validation: " + "; ".join(report.errors))
    return output, report, rounds, failure


def _model_rounds(
    packet: Packet, previous: PreviousAdmission | None, prompt: Prompt, llm: LLMClient, config: GenerationConfig
) -> tuple[ConversationOutput | None, ValidationReport | None, list[Round], tuple[str, str] | None]:
    """Ask, validate, and ask again with the errors, up to `repair_rounds` times."""
    messages, repair, rounds = prompt.messages(), None, []
    for number in range(1, config.repair_rounds + 2):
        try:
            result = llm.chat(messages, output_schema=ConversationOutput)
        except LLMError as exc:
            rounds.append(
                Round(
                    round=number,
                    repair_message=repair,
                    attempts=[a.model_dump() for a in exc.attempts],
                    notes=exc.notes,
                    params_sent={},
                    finish_reason=None,
                    response_text=None,
                    errors=[str(exc)],
                )
            )
            return None, None, rounds, (exc.kind, str(exc))
        output, report = None, None
        try:
            output, report = validate_answer(
                parse_json_answer(result), packet, previous, min_grounding_score=config.min_grounding_score
            )
            errors = report.errors
        except AnswerError as exc:
            errors = [str(exc)]
        rounds.append(
            Round(
                round=number,
                repair_message=repair,
                attempts=[a.model_dump() for a in result.attempts],
                notes=result.notes,
                params_sent=result.params_sent,
                finish_reason=result.finish_reason,
                response_text=result.content,
                errors=errors,
            )
        )
        if not errors:
            return output, report, rounds, None
        repair = render_repair(errors)
        answer = [] if result.truncated else [result.assistant_message()]
        messages = [*prompt.messages(), *answer, {"role": "user", "content": repair}]
    kind = "truncated" if rounds[-1].finish_reason == "length" else "validation"
    return None, None, rounds, (kind, f"no valid answer after {len(rounds)} rounds: " + "; ".join(rounds[-1].errors))
