"""`--backend openai`: a model behind an OpenAI-compatible endpoint answers, and is asked again with the errors."""

from typing import Any

from generator.answer import BackendAnswer, GenerationConfig, Round
from generator.conversation import ConversationOutput
from generator.governance import check_endpoint
from generator.llm import AnswerError, LLMClient, LLMError, parse_json_answer
from generator.packet import Packet
from generator.prompt import PreviousAdmission, Prompt, render_repair
from generator.validate import validate_answer

RESUME_PARAMS = {"temperature", "seed", "max_output_tokens"}


class ModelBackend:
    """The `Backend` that asks `llm`; credentialed packets go only where governance allows."""

    name = "openai"

    def __init__(self, llm: LLMClient):
        self.llm = llm

    @property
    def model(self) -> str:
        return self.llm.settings.model

    @property
    def endpoint(self) -> str:
        return self.llm.endpoint

    def resume_fields(self, config: GenerationConfig) -> dict[str, Any]:
        settings = self.llm.settings
        return {
            "model": settings.model,
            "params": settings.model_dump(include=RESUME_PARAMS),
            "repair_rounds": config.repair_rounds,
        }

    def describe(self) -> dict[str, Any]:
        return self.llm.settings.model_dump()

    def answer(
        self, packet: Packet, previous: PreviousAdmission | None, prompt: Prompt, config: GenerationConfig
    ) -> BackendAnswer:
        """Ask, validate, and ask again with the errors, up to `repair_rounds` times."""
        check_endpoint(self.llm.endpoint, packet.data_origin, config.allowed_endpoints)
        messages, repair, rounds = prompt.messages(), None, []
        for number in range(1, config.repair_rounds + 2):
            try:
                result = self.llm.chat(messages, output_schema=ConversationOutput)
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
                return BackendAnswer(rounds, failure=(exc.kind, str(exc)))
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
                return BackendAnswer(rounds, output, report)
            repair = render_repair(errors)
            answer = [] if result.truncated else [result.assistant_message()]
            messages = [*prompt.messages(), *answer, {"role": "user", "content": repair}]
        kind = "truncated" if rounds[-1].finish_reason == "length" else "validation"
        message = f"no valid answer after {len(rounds)} rounds: " + "; ".join(rounds[-1].errors)
        return BackendAnswer(rounds, failure=(kind, message))
