"""`mimicbench cdm run`: drive a model through each case and append one result line per case.

Tools mode: the model calls tools until it answers without a tool call (or `max_turns` model turns pass:
status `turn_limit`), then is asked for the final answer as structured output. Full-info mode: one
structured call with everything. Each line holds the whole message history and every HTTP attempt. Cases
already in the results file are skipped, so an interrupted run resumes where it stopped.
"""

import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from generator.cdm import CdmError
from generator.cdm.case import CdmBenchmark, GroundTruth, HadmCase, Pathology
from generator.cdm.lab_requests import LabMapper
from generator.cdm.prompt import FINAL_REQUEST, SYSTEM_FULL_INFO, SYSTEM_TOOLS, full_info_message, opening_message
from generator.cdm.tools import TOOL_SCHEMAS, CaseTools, ToolAction
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


class CaseResult(BaseModel):
    """One line of the results file."""

    hadm_id: int
    pathology: Pathology | None
    mode: Mode
    model: str
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
    on_result: Callable[[CaseResult], None] | None = None,
) -> RunSummary:
    """Run every case not yet in `out` (cases without a pathology are skipped) and append the results."""
    done = completed_ids(out)
    todo = [case for case in benchmark.cases if case.pathology and case.hadm_id not in done]
    labs = LabMapper(benchmark.lab_test_mapping)
    lock = threading.Lock()
    by_status: dict[str, int] = {}

    def one(case: HadmCase) -> None:
        result = run_case(case, llm, labs, mode=mode, max_turns=max_turns)
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


def run_case(case: HadmCase, llm: LLMClient, labs: LabMapper, *, mode: Mode, max_turns: int) -> CaseResult:
    """One case from the first message to the final answer (or the reason there is none)."""
    started = time.monotonic()
    calls: list[ChatCall] = []
    actions: list[ToolAction] = []
    if mode == "tools":
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
            mode=mode,
            model=llm.settings.model,
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
        if mode == "tools":
            tools = CaseTools(case, labs)
            if not _gather(llm, tools, messages, calls, actions, max_turns):
                return finish("turn_limit", error=f"the model was still calling tools after {max_turns} turns")
            messages.append({"role": "user", "content": FINAL_REQUEST})
        result = _chat(llm, messages, calls, "final", output_schema=CdmAnswer)
        messages.append(result.assistant_message())
        answer = CdmAnswer.model_validate(parse_json_answer(result))
    except LLMError as error:
        return finish("llm_error", error=f"{error.kind}: {error}")
    except (AnswerError, ValidationError) as error:
        return finish("invalid_answer", error=str(error).splitlines()[0])
    return finish("ok", answer=answer)


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
        result = _chat(llm, messages, calls, "tools", tools=TOOL_SCHEMAS)
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


def completed_ids(out: Path) -> set[int]:
    """Admissions already in the results file; a torn last line (a killed run) is cut off first."""
    if not out.exists():
        return set()
    text = out.read_text(encoding="utf-8")
    done: set[int] = set()
    kept = 0
    for line in text.splitlines(keepends=True):
        try:
            done.add(int(json.loads(line)["hadm_id"]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            if line.endswith("\n") or kept + len(line) != len(text):
                raise CdmError(
                    f"{out} has a line that is not a result: move the file away or pass another --out."
                ) from None
            with out.open("r+", encoding="utf-8") as handle:
                handle.truncate(len(text[:kept].encode("utf-8")))
            break
        kept += len(line)
    return done


def read_results(path: Path) -> list[CaseResult]:
    """The result lines of a results file."""
    if not path.exists():
        raise CdmError(f"No results file at {path}: run `mimicbench cdm run` first.")
    try:
        return [CaseResult.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    except ValidationError as error:
        raise CdmError(f"{path} is not a `mimicbench cdm run` results file ({error.error_count()} errors).") from error


def _append_line(path: Path, line: str) -> None:
    """Append one whole line and sync it, so a crash loses at most the line being written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
