"""`--backend openai`: a model behind an OpenAI-compatible endpoint answers, and is asked again with the errors."""

from typing import Any

from generator.answer import BackendAnswer, GenerationConfig, Round
from generator.bounds import bounded_schema, conversation_bounds
from generator.context.fit import FitRecord
from generator.context.model import NO_MODEL, ModelContext
from generator.context.shrink import Budget
from generator.conversation import ConversationOutput
from generator.governance import check_endpoint
from generator.llm import AnswerError, LLMClient, LLMError, parse_json_answer
from generator.packet import Packet
from generator.prompt import PreviousAdmission, Prompt, render_repair
from generator.validate import validate_answer

RESUME_PARAMS = {"temperature", "seed", "max_output_tokens"}
REPAIR_LISTS = (40, 10, 3, 1)  # errors a repair turn lists, fewer while the window cannot hold it


class ModelBackend:
    """The `Backend` that asks `llm`; credentialed packets go only where governance allows.

    Every round's request fits the window: the first is the fitted prompt with the output budget fitting left
    it; a repair round is counted, sent without the rejected answer and then with fewer errors listed when that
    does not fit, and fails as `context_overflow` when even one error does not. The schema sent bounds every
    array and string for the round's output budget, evidence ids at what the server's tokenizer says they cost
    (`generator/bounds.py`), and validation checks the same bounds.
    """

    name = "openai"

    def __init__(self, llm: LLMClient, context: ModelContext = NO_MODEL):
        self.llm = llm
        self.context = context

    @property
    def model(self) -> str:
        return self.llm.settings.model

    @property
    def endpoint(self) -> str:
        return self.llm.endpoint

    @property
    def max_output_tokens(self) -> int | None:
        return self.llm.settings.max_output_tokens

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
        self,
        packet: Packet,
        previous: PreviousAdmission | None,
        prompt: Prompt,
        config: GenerationConfig,
        fit: FitRecord,
    ) -> BackendAnswer:
        """Ask, validate, and ask again with the errors, up to `repair_rounds` times."""
        for endpoint in self.llm.endpoints:
            check_endpoint(endpoint, packet.data_origin, config.allowed_endpoints)
        messages, repair, rounds = prompt.messages(), None, []
        prompt_tokens, max_tokens = fit.prompt_tokens, fit.output_tokens
        for number in range(1, config.repair_rounds + 2):
            id_cost = self.context.id_characters_per_token
            bounds = conversation_bounds(packet, previous, config.answer_limits, max_tokens, id_cost)
            round_fields = {"round": number, "repair_message": repair, "prompt_tokens": prompt_tokens}
            round_fields |= {"schema_bounds": bounds, "id_characters_per_token": round(id_cost, 3)}
            try:
                result = self.llm.chat(
                    messages,
                    output_schema=ConversationOutput,
                    schema=bounded_schema(ConversationOutput, bounds),
                    max_tokens=max_tokens,
                )
            except LLMError as exc:
                rounds.append(
                    Round(
                        **round_fields,
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
                    parse_json_answer(result),
                    packet,
                    previous,
                    min_grounding_score=config.min_grounding_score,
                    bounds=bounds,
                )
                errors = report.errors
            except AnswerError as exc:
                errors = [str(exc)]
            rounds.append(
                Round(
                    **round_fields,
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
            if number == config.repair_rounds + 1:
                break
            answer = [] if result.truncated else [result.assistant_message()]
            try:
                messages, prompt_tokens, max_tokens = self._repair_request(prompt, answer, errors)
            except RepairTooLong as exc:
                return BackendAnswer(rounds, failure=("context_overflow", str(exc)))
            repair = messages[-1]["content"]
        kind = "truncated" if rounds[-1].finish_reason == "length" else "validation"
        message = f"no valid answer after {len(rounds)} rounds: " + "; ".join(rounds[-1].errors)
        return BackendAnswer(rounds, failure=(kind, message))

    def _repair_request(
        self, prompt: Prompt, answer: list[dict[str, Any]], errors: list[str]
    ) -> tuple[list[dict[str, Any]], int | None, int | None]:
        """The repair round's messages, their counted tokens and output budget. When the window cannot hold them,
        the rejected answer is left out, then fewer of the errors are listed."""
        if not self.context.known:
            messages = [*prompt.messages(), *answer, {"role": "user", "content": render_repair(errors)}]
            return messages, None, self.max_output_tokens
        assert self.context.window.tokens is not None and self.context.counter is not None
        budget = Budget.of(self.context.window.tokens, self.max_output_tokens)
        shorter = [{"role": "user", "content": render_repair(errors, limit=listed)} for listed in REPAIR_LISTS]
        tries = [[*prompt.messages(), *answer, shorter[0]], *([*prompt.messages(), repair] for repair in shorter)]
        for messages in tries:
            tokens = self.context.counter.count(messages)
            if tokens <= budget.prompt_limit:
                return messages, tokens, budget.output_tokens(tokens, self.max_output_tokens)
        raise RepairTooLong(
            f"the repair request needs {tokens} prompt tokens, more than the {budget.prompt_limit} a window of "
            f"{budget.window} leaves: pass a larger --context-window (and server context), or lower "
            "--max-output-tokens."
        )


class RepairTooLong(Exception):
    """A repair round's request does not fit the window even without the rejected answer."""
