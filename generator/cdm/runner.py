"""`mimicbench cdm run`: drive a model through each case and append one result line per case.

Tools mode: the model calls tools until it answers without a tool call (or `max_turns` model turns pass:
status `turn_limit`), then is asked for the final answer as structured output. A tools round has no schema to
bound it, so each gets its own small output budget (`--tool-round-tokens`); a round cut at that budget ends the
gathering as a round without tool calls does: its tool calls (perhaps cut) are not run, its text is shortened in
the history, and the case goes on to the final answer. Full-info mode: one structured call with everything.
Each line holds the whole message history, every HTTP attempt, the run configuration, the endpoint and a hash of
the case. Cases already in the results file are skipped, so an interrupted run resumes where it stopped; a file
written with another configuration or other case content is refused rather than mixed.
"""

import hashlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

import generator
from generator.bounds import AnswerLimits, bound_errors, bounded_schema, cdm_answer_bounds
from generator.cdm import CdmError
from generator.cdm.case import CdmBenchmark, GroundTruth, HadmCase, Pathology
from generator.cdm.criteria import CriteriaBook
from generator.cdm.fit import CaseFit, ContextExhausted, ShortenedResult, fit_full_info, fit_history
from generator.cdm.lab_requests import LabMapper
from generator.cdm.prompt import FINAL_REQUEST, SYSTEM_FULL_INFO, SYSTEM_TOOLS, full_info_message, opening_message
from generator.cdm.tools import CaseTools, ToolAction
from generator.context.model import NO_MODEL, ModelContext
from generator.context.tokens import TokenCountError
from generator.jsonl import append_line, read_lines
from generator.llm import AnswerError, CallAttempt, ChatResult, LLMClient, LLMError, parse_json_answer

Mode = Literal["tools", "full-info"]
Status = Literal["ok", "turn_limit", "invalid_answer", "llm_error", "context_exhausted"]
ANSWER_LIMITS = AnswerLimits()  # the answer's bounds: diagnosis length, treatments (scaled to the output budget)
# A tools round's output budget: a call costs ~20-80 tokens (a lab request naming a dozen tests ~80), so five calls
# and a thought of a few sentences take ~300; 512 leaves room for that and stops a runaway at 1/16 of an 8k window.
TOOL_ROUND_TOKENS = 512
CUT_TEXT_KEPT = 200  # characters of a cut round's text kept in the history: its opening sentences (~50 tokens)
CUT_NOTE = "\n[cut at this turn's limit of {max_tokens} output tokens; no tool was run]"


class CdmAnswer(BaseModel):
    """The model's final answer (structured output)."""

    model_config = ConfigDict(extra="forbid")

    diagnosis: str
    treatments: list[str]


class ChatCall(BaseModel):
    """One `chat` call of a case: its purpose, finish reason, adaptations and HTTP attempts."""

    purpose: Literal["tools", "final"]
    finish_reason: str | None
    notes: list[str]
    attempts: list[CallAttempt]
    prompt_tokens: int | None = None  # the request as counted for the window, when it is known
    max_tokens: int | None = None  # the output budget sent: a tools round's, or what the window left (when known)
    shortened: list[ShortenedResult] = []  # tool results shortened for this request to fit the window
    schema_bounds: dict[str, dict[str, int]] | None = None  # the answer schema's maxItems / maxLength

    @property
    def cut_at_round_limit(self) -> bool:
        """A tools round that ran to its output budget (`finish_reason` "length"), which ended the gathering."""
        return self.purpose == "tools" and self.finish_reason == "length"


class RunConfig(BaseModel):
    """What decides a result besides the case; a results file holds results of one configuration only."""

    model_config = ConfigDict(frozen=True)

    model: str
    mode: Mode
    temperature: float | None
    seed: int | None
    max_output_tokens: int | None
    max_turns: int | None
    criteria_tool: bool = False
    context_window: int | None = None
    tool_round_tokens: int | None = None

    @classmethod
    def of(
        cls,
        llm: LLMClient,
        mode: Mode,
        max_turns: int,
        criteria_tool: bool = False,
        context: ModelContext = NO_MODEL,
        tool_round_tokens: int = TOOL_ROUND_TOKENS,
    ) -> "RunConfig":
        settings = llm.settings
        return cls(
            model=settings.model,
            mode=mode,
            temperature=settings.temperature,
            seed=settings.seed,
            max_output_tokens=settings.max_output_tokens,
            max_turns=max_turns if mode == "tools" else None,
            criteria_tool=criteria_tool and mode == "tools",
            context_window=context.window.tokens if context.known else None,
            tool_round_tokens=tool_round_tokens if mode == "tools" else None,
        )


class CaseResult(BaseModel):
    """One line of the results file."""

    hadm_id: int
    pathology: Pathology | None
    run: RunConfig
    endpoint: str
    mimicbench_version: str
    case_sha256: str
    status: Status
    error: str | None = None
    answer: CdmAnswer | None = None
    actions: list[ToolAction] = []
    messages: list[dict[str, Any]]
    calls: list[ChatCall]
    fit: CaseFit | None = None  # full information: how the case was fitted into the window
    ground_truth: GroundTruth | None
    duration_s: float


class RunSummary(BaseModel):
    skipped: int
    written: int
    by_status: dict[str, int]
    cut_rounds: int = 0  # tools rounds cut at their output budget


def run_benchmark(
    benchmark: CdmBenchmark,
    llm: LLMClient,
    out: Path,
    *,
    mode: Mode,
    concurrency: int = 1,
    max_turns: int = 12,
    criteria_tool: bool = False,
    context: ModelContext = NO_MODEL,
    tool_round_tokens: int = TOOL_ROUND_TOKENS,
    on_result: Callable[[CaseResult], None] | None = None,
) -> RunSummary:
    """Run every case not yet in `out` (cases without a pathology are skipped) and append the results;
    in tools mode each round may answer with `tool_round_tokens` at most, and `criteria_tool` also offers the
    diagnostic-criteria tool; with a known `context` every request is fitted to the model's window. An endpoint
    that refuses the API key stops the run (`CdmError`): the cases it had not finished are not recorded, so a
    rerun takes them up."""
    config = RunConfig.of(llm, mode, max_turns, criteria_tool, context, tool_round_tokens)
    if config.criteria_tool and not benchmark.diagnostic_criteria:
        raise CdmError("The cases file has no diagnostic criteria: export it again with `mimicbench cdm export`.")
    criteria = CriteriaBook(benchmark.diagnostic_criteria) if config.criteria_tool else None
    done = completed_ids(out, config, {case.hadm_id: case_sha256(case) for case in benchmark.cases})
    todo = [case for case in benchmark.cases if case.pathology and case.hadm_id not in done]
    labs = LabMapper(benchmark.lab_test_mapping)
    lock = threading.Lock()
    by_status: dict[str, int] = {}
    cut_rounds = 0
    refused: list[LLMError] = []

    def one(case: HadmCase) -> None:
        nonlocal cut_rounds
        if refused:
            return
        try:
            result = run_case(case, llm, labs, config, criteria, context)
        except LLMError as error:  # the endpoint refused the key: no case can succeed
            refused.append(error)
            return
        line = result.model_dump_json() + "\n"
        with lock:
            append_line(out, line)
            by_status[result.status] = by_status.get(result.status, 0) + 1
            cut_rounds += sum(call.cut_at_round_limit for call in result.calls)
            if on_result:
                on_result(result)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for future in [pool.submit(one, case) for case in todo]:
            future.result()
    if refused:
        raise CdmError(
            f"Stopped: {refused[0]}. Cases finished before it are in {out}; the rest are not recorded, so "
            "rerunning the same command with a working key resumes them."
        )
    return RunSummary(
        skipped=len(benchmark.cases) - len(todo), written=len(todo), by_status=by_status, cut_rounds=cut_rounds
    )


def run_case(
    case: HadmCase,
    llm: LLMClient,
    labs: LabMapper,
    config: RunConfig,
    criteria: CriteriaBook | None = None,
    context: ModelContext = NO_MODEL,
) -> CaseResult:
    """One case from the first message to the final answer (or the reason there is none).

    With a known window, full-information prompts are shrunk to fit it, and in tools mode each request's history
    is kept inside it by shortening tool results; a case that cannot fit ends as `context_exhausted`."""
    started = time.monotonic()
    calls: list[ChatCall] = []
    actions: list[ToolAction] = []
    fit: CaseFit | None = None
    if config.mode == "tools":
        messages = [{"role": "system", "content": SYSTEM_TOOLS}, {"role": "user", "content": opening_message(case)}]
    else:
        messages = full_info_messages(case)

    def finish(status: Status, answer: CdmAnswer | None = None, error: str | None = None) -> CaseResult:
        return CaseResult(
            hadm_id=case.hadm_id,
            pathology=case.pathology,
            run=config,
            endpoint=llm.endpoint,
            mimicbench_version=generator.__version__,
            case_sha256=case_sha256(case),
            status=status,
            error=error,
            answer=answer,
            actions=actions,
            messages=messages,
            calls=calls,
            fit=fit,
            ground_truth=case.ground_truth,
            duration_s=round(time.monotonic() - started, 3),
        )

    try:
        if config.mode == "tools":
            tools = CaseTools(case, labs, criteria)
            if not _gather(llm, context, tools, messages, calls, actions, config):
                return finish("turn_limit", error=f"the model was still calling tools after {config.max_turns} turns")
            messages.append({"role": "user", "content": FINAL_REQUEST})
        else:
            messages, fit = fit_full_info(
                case,
                full_info_messages,
                window=context.window,
                counter=context.counter,
                max_output_tokens=llm.settings.max_output_tokens,
            )
        result = _chat(llm, context, messages, calls, "final", output_schema=CdmAnswer)
        messages.append(result.assistant_message())
        answer = CdmAnswer.model_validate(parse_json_answer(result))
        exceeded = bound_errors(answer, calls[-1].schema_bounds or {})
        if exceeded:
            return finish("invalid_answer", error=exceeded[0])
    except LLMError as error:
        if error.kind == "auth":
            raise
        return finish("llm_error", error=f"{error.kind}: {error}")
    except TokenCountError as error:
        return finish("llm_error", error=f"token count: {error}")
    except ContextExhausted as error:
        return finish("context_exhausted", error=str(error))
    except (AnswerError, ValidationError) as error:
        return finish("invalid_answer", error=str(error).splitlines()[0])
    return finish("ok", answer=answer)


def full_info_messages(case: HadmCase) -> list[dict[str, Any]]:
    """The full-information request: the system prompt and every section of the case."""
    return [{"role": "system", "content": SYSTEM_FULL_INFO}, {"role": "user", "content": full_info_message(case)}]


def case_sha256(case: HadmCase) -> str:
    """A hash of everything the case holds, so a result is never resumed against changed case content."""
    return hashlib.sha256(case.model_dump_json().encode("utf-8")).hexdigest()


def _gather(
    llm: LLMClient,
    context: ModelContext,
    tools: CaseTools,
    messages: list[dict[str, Any]],
    calls: list[ChatCall],
    actions: list[ToolAction],
    config: RunConfig,
) -> bool:
    """The tool loop; False when the model still asks for tools after `max_turns` turns. A round cut at its
    output budget ends the loop like a round without tool calls: none of its calls is run (the last may be cut,
    and a round that ran away is no plan to act on), and only the opening of its text stays in the history."""
    for _ in range(config.max_turns or 1):
        result = _chat(
            llm, context, messages, calls, "tools", tools=tools.schemas, round_tokens=config.tool_round_tokens
        )
        if result.truncated:
            cut = CUT_NOTE.format(max_tokens=calls[-1].max_tokens)
            messages.append({"role": "assistant", "content": (result.content or "")[:CUT_TEXT_KEPT] + cut})
            return True
        messages.append(result.assistant_message())
        if not result.tool_calls:
            return True
        for call in result.tool_calls:
            output, action = tools.call(call)
            actions.append(action)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": output})
    return False


def _chat(
    llm: LLMClient,
    context: ModelContext,
    messages: list,
    calls: list[ChatCall],
    purpose: str,
    *,
    output_schema: type[CdmAnswer] | None = None,
    tools: list[dict[str, Any]] | None = None,
    round_tokens: int | None = None,
) -> ChatResult:
    """`llm.chat` on a history kept inside the window, recording the call (a failed one too) in `calls`; the
    final answer's schema carries bounds for the output budget; a tools round answers with `round_tokens` at most
    (less when the window or `--max-output-tokens` leaves less)."""
    fitted = None
    if context.known:
        assert context.counter is not None
        fitted = fit_history(
            messages,
            tools,
            window=context.window,
            counter=context.counter,
            max_output_tokens=llm.settings.max_output_tokens,
        )
    max_tokens = fitted.use.output_tokens if fitted else None
    if round_tokens is not None:
        max_tokens = min(n for n in (max_tokens, llm.settings.max_output_tokens, round_tokens) if n is not None)
    bounds = None
    if output_schema is not None:
        bounds = cdm_answer_bounds(output_schema, ANSWER_LIMITS, max_tokens or llm.settings.max_output_tokens)
    record = {
        "purpose": purpose,
        "prompt_tokens": fitted.use.prompt_tokens if fitted else None,
        "max_tokens": max_tokens,
        "shortened": fitted.shortened if fitted else [],
        "schema_bounds": bounds,
    }
    try:
        result = llm.chat(
            messages,
            output_schema=output_schema,
            schema=bounded_schema(output_schema, bounds) if output_schema and bounds else None,
            tools=tools,
            max_tokens=max_tokens,
        )
    except LLMError as error:
        calls.append(ChatCall(**record, finish_reason=None, notes=error.notes, attempts=error.attempts))
        raise
    calls.append(ChatCall(**record, finish_reason=result.finish_reason, notes=result.notes, attempts=result.attempts))
    return result


def completed_ids(out: Path, config: RunConfig, case_hashes: dict[int, str]) -> set[int]:
    """Admissions already in the results file; a torn last line (a killed run) is cut off first. A line of
    another configuration, or of a case whose content has changed since, stops the run."""
    if not out.exists():
        return set()
    text = out.read_text(encoding="utf-8")
    done: set[int] = set()
    kept = 0
    for line in text.splitlines(keepends=True):
        try:
            result = CaseResult.model_validate_json(line)
        except ValidationError:
            if line.endswith("\n") or kept + len(line) != len(text):
                raise CdmError(
                    f"{out} has a line that is not a `mimicbench cdm run` result: "
                    "move the file away or pass another --out."
                ) from None
            with out.open("r+", encoding="utf-8") as handle:
                handle.truncate(len(text[:kept].encode("utf-8")))
            break
        if result.run != config:
            raise CdmError(
                f"{out} holds results of another run configuration ({_differences(result.run, config)}): "
                "pass another --out to start a new results file."
            )
        if case_hashes.get(result.hadm_id, result.case_sha256) != result.case_sha256:
            raise CdmError(
                f"{out} holds a result for admission {result.hadm_id} from different case content (the cases "
                "file was exported again): pass another --out to start a new results file."
            )
        done.add(result.hadm_id)
        kept += len(line)
    return done


def _differences(old: RunConfig, new: RunConfig) -> str:
    return ", ".join(
        f"{name} {getattr(old, name)!r} there, {getattr(new, name)!r} now"
        for name in RunConfig.model_fields
        if getattr(old, name) != getattr(new, name)
    )


def read_results(path: Path) -> list[CaseResult]:
    """The result lines of a results file."""
    return read_lines(path, CaseResult, "cdm run", CdmError)
