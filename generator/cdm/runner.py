"""`mimicbench cdm run`: drive a model through each case and append one result line per case.

Tools mode: the model calls tools until it answers without a tool call (or `max_turns` model turns pass:
status `turn_limit`), then is asked for the final answer as structured output. Full-info mode: one
structured call with everything. Each line holds the whole message history, every HTTP attempt, the run
configuration, the endpoint and a hash of the case. Cases already in the results file are skipped, so an
interrupted run resumes where it stopped; a file written with another configuration or other case content
is refused rather than mixed.
"""

import hashlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

import generator
from generator.cdm import CdmError
from generator.cdm.case import CdmBenchmark, GroundTruth, HadmCase, Pathology
from generator.cdm.criteria import CriteriaBook
from generator.cdm.lab_requests import LabMapper
from generator.cdm.prompt import FINAL_REQUEST, SYSTEM_FULL_INFO, SYSTEM_TOOLS, full_info_message, opening_message
from generator.cdm.tools import CaseTools, ToolAction
from generator.llm import AnswerError, CallAttempt, ChatResult, LLMClient, LLMError, parse_json_answer

Mode = Literal["tools", "full-info"]
Status = Literal["ok", "turn_limit", "invalid_answer", "llm_error"]


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

    @classmethod
    def of(cls, llm: LLMClient, mode: Mode, max_turns: int, criteria_tool: bool = False) -> "RunConfig":
        settings = llm.settings
        return cls(
            model=settings.model,
            mode=mode,
            temperature=settings.temperature,
            seed=settings.seed,
            max_output_tokens=settings.max_output_tokens,
            max_turns=max_turns if mode == "tools" else None,
            criteria_tool=criteria_tool and mode == "tools",
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
    ground_truth: GroundTruth | None
    duration_s: float


class RunSummary(BaseModel):
    skipped: int
    written: int
    by_status: dict[str, int]


def run_benchmark(
    benchmark: CdmBenchmark,
    llm: LLMClient,
    out: Path,
    *,
    mode: Mode,
    concurrency: int = 1,
    max_turns: int = 12,
    criteria_tool: bool = False,
    on_result: Callable[[CaseResult], None] | None = None,
) -> RunSummary:
    """Run every case not yet in `out` (cases without a pathology are skipped) and append the results;
    `criteria_tool` also offers the diagnostic-criteria tool in tools mode."""
    config = RunConfig.of(llm, mode, max_turns, criteria_tool)
    if config.criteria_tool and not benchmark.diagnostic_criteria:
        raise CdmError("The cases file has no diagnostic criteria: export it again with `mimicbench cdm export`.")
    criteria = CriteriaBook(benchmark.diagnostic_criteria) if config.criteria_tool else None
    done = completed_ids(out, config, {case.hadm_id: case_sha256(case) for case in benchmark.cases})
    todo = [case for case in benchmark.cases if case.pathology and case.hadm_id not in done]
    labs = LabMapper(benchmark.lab_test_mapping)
    lock = threading.Lock()
    by_status: dict[str, int] = {}

    def one(case: HadmCase) -> None:
        result = run_case(case, llm, labs, config, criteria)
        line = result.model_dump_json() + "\n"
        with lock:
            _append_line(out, line)
            by_status[result.status] = by_status.get(result.status, 0) + 1
            if on_result:
                on_result(result)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for future in [pool.submit(one, case) for case in todo]:
            future.result()
    return RunSummary(skipped=len(benchmark.cases) - len(todo), written=len(todo), by_status=by_status)


def run_case(
    case: HadmCase, llm: LLMClient, labs: LabMapper, config: RunConfig, criteria: CriteriaBook | None = None
) -> CaseResult:
    """One case from the first message to the final answer (or the reason there is none)."""
    started = time.monotonic()
    calls: list[ChatCall] = []
    actions: list[ToolAction] = []
    if config.mode == "tools":
        messages = [{"role": "system", "content": SYSTEM_TOOLS}, {"role": "user", "content": opening_message(case)}]
    else:
        messages = [
            {"role": "system", "content": SYSTEM_FULL_INFO},
            {"role": "user", "content": full_info_message(case)},
        ]

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
            ground_truth=case.ground_truth,
            duration_s=round(time.monotonic() - started, 3),
        )

    try:
        if config.mode == "tools":
            tools = CaseTools(case, labs, criteria)
            if not _gather(llm, tools, messages, calls, actions, config.max_turns or 1):
                return finish("turn_limit", error=f"the model was still calling tools after {config.max_turns} turns")
            messages.append({"role": "user", "content": FINAL_REQUEST})
        result = _chat(llm, messages, calls, "final", output_schema=CdmAnswer)
        messages.append(result.assistant_message())
        answer = CdmAnswer.model_validate(parse_json_answer(result))
    except LLMError as error:
        return finish("llm_error", error=f"{error.kind}: {error}")
    except (AnswerError, ValidationError) as error:
        return finish("invalid_answer", error=str(error).splitlines()[0])
    return finish("ok", answer=answer)


def case_sha256(case: HadmCase) -> str:
    """A hash of everything the case holds, so a result is never resumed against changed case content."""
    return hashlib.sha256(case.model_dump_json().encode("utf-8")).hexdigest()


def _gather(
    llm: LLMClient,
    tools: CaseTools,
    messages: list[dict[str, Any]],
    calls: list[ChatCall],
    actions: list[ToolAction],
    max_turns: int,
) -> bool:
    """The tool loop; False when the model still asks for tools after `max_turns` turns."""
    for _ in range(max_turns):
        result = _chat(llm, messages, calls, "tools", tools=tools.schemas)
        messages.append(result.assistant_message())
        if not result.tool_calls:
            return True
        for call in result.tool_calls:
            output, action = tools.call(call)
            actions.append(action)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": output})
    return False


def _chat(llm: LLMClient, messages: list, calls: list[ChatCall], purpose: str, **kwargs: Any) -> ChatResult:
    """`llm.chat`, recording the call (a failed one too) in `calls`."""
    try:
        result = llm.chat(messages, **kwargs)
    except LLMError as error:
        calls.append(ChatCall(purpose=purpose, finish_reason=None, notes=error.notes, attempts=error.attempts))
        raise
    calls.append(
        ChatCall(purpose=purpose, finish_reason=result.finish_reason, notes=result.notes, attempts=result.attempts)
    )
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
    if not path.is_file():
        raise CdmError(f"No results file at {path}: run `mimicbench cdm run` first.")
    results = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            results.append(CaseResult.model_validate_json(line))
        except ValidationError as error:
            raise CdmError(
                f"{path} line {number} is not a `mimicbench cdm run` result ({error.errors()[0]['msg']}): "
                "pass the JSONL file that `cdm run --out` wrote."
            ) from None
    return results


def _append_line(path: Path, line: str) -> None:
    """Append one whole line and sync it, so a crash loses at most the line being written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
