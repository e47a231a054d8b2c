"""`mimicbench qa run`: each item's question asked with its context (or without, `no_context`: the baseline of
what a model answers from the question alone), one structured answer per item, one result line per item.

Results already in the file (same configuration, same item content) are skipped, so an interrupted run resumes;
a torn last line (a killed run) is cut off first; a line of another configuration stops the run."""

import hashlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

import generator
from generator.bounds import bound_errors, bounded_schema
from generator.context.model import NO_MODEL, ModelContext
from generator.context.tokens import TokenCountError
from generator.jsonl import append_line, read_lines
from generator.llm import AnswerError, CallAttempt, LLMClient, LLMError, parse_json_answer
from generator.qa import QaError
from generator.qa.contexts import context_text
from generator.qa.folder import QaFolder
from generator.qa.items import BenchItem

Mode = Literal["context", "no_context"]
Status = Literal["ok", "invalid_answer", "llm_error", "context_overflow"]
ANSWER_CHARACTERS = 120
MIN_OUTPUT_TOKENS = 32
BOUNDS = {"QaAnswer.answer": {"maxLength": ANSWER_CHARACTERS}}
SYSTEM = (
    "You answer questions about one patient from the transcripts of their hospital conversations. Admissions are "
    "numbered in time order; times are hours:minutes since that admission began. Sections marked as another "
    "patient's record are not about this patient: never answer from them. Answer only from what the patient's "
    "transcripts state. If they do not state the answer, set not_documented to true and leave answer empty. "
    "Give a number with its unit as stated, a name as written, or one of the options the question offers."
)
SYSTEM_NO_CONTEXT = (
    "You answer questions about one hospital patient whose records you cannot see. If you cannot know the answer, "
    "set not_documented to true and leave answer empty. Give a number with its unit, a name, or one of the "
    "options the question offers."
)


class QaAnswer(BaseModel):
    """The model's answer (structured output; `answer` bounded)."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(max_length=ANSWER_CHARACTERS)
    not_documented: bool


class QaRunConfig(BaseModel):
    """What decides a result besides the item; a results file holds one configuration."""

    model_config = ConfigDict(frozen=True)

    model: str
    mode: Mode
    temperature: float | None
    seed: int | None
    max_output_tokens: int | None
    context_window: int | None


class QaResult(BaseModel):
    """One line of a results file: the item as asked, the answer, the call's attempts."""

    item: BenchItem
    item_sha256: str
    run: QaRunConfig
    endpoint: str
    mimicbench_version: str
    status: Status
    error: str | None = None
    answer: QaAnswer | None = None
    prompt_tokens: int | None = None
    attempts: list[CallAttempt]
    duration_s: float

    @property
    def key(self) -> tuple[str, str]:
        return (self.item.item_id, self.item.bucket)


def item_sha256(item: BenchItem) -> str:
    return hashlib.sha256(item.model_dump_json().encode("utf-8")).hexdigest()


def messages_for(item: BenchItem, folder: QaFolder, mode: Mode) -> list[dict[str, str]]:
    """The system prompt, then the context and the question (the question alone in `no_context` mode)."""
    question = f"Question: {item.question}"
    if item.options:
        question += f" (options: {', '.join(item.options)})"
    if mode == "no_context":
        return [{"role": "system", "content": SYSTEM_NO_CONTEXT}, {"role": "user", "content": question}]
    context = context_text(folder.contexts[item.context_id], folder.blocks)
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": f"{context}\n{question}"}]


def run_items(
    folder: QaFolder,
    items: list[BenchItem],
    llm: LLMClient,
    out: Path,
    *,
    mode: Mode,
    concurrency: int = 1,
    context: ModelContext = NO_MODEL,
    on_result: Callable[[QaResult], None] | None = None,
) -> tuple[int, dict[str, int]]:
    """Ask every item not yet in `out`; returns (skipped, results by status)."""
    settings = llm.settings
    config = QaRunConfig(
        model=settings.model,
        mode=mode,
        temperature=settings.temperature,
        seed=settings.seed,
        max_output_tokens=settings.max_output_tokens,
        context_window=context.window.tokens if context.known else None,
    )
    done = completed_keys(out, config, {(i.item_id, i.bucket): item_sha256(i) for i in items})
    todo = [item for item in items if (item.item_id, item.bucket) not in done]
    lock = threading.Lock()
    by_status: dict[str, int] = {}

    def one(item: BenchItem) -> None:
        result = ask(item, folder, llm, config, context)
        with lock:
            append_line(out, result.model_dump_json() + "\n")
            by_status[result.status] = by_status.get(result.status, 0) + 1
            if on_result:
                on_result(result)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for future in [pool.submit(one, item) for item in todo]:
            future.result()
    return len(items) - len(todo), by_status


def ask(item: BenchItem, folder: QaFolder, llm: LLMClient, config: QaRunConfig, context: ModelContext) -> QaResult:
    """One item: the request counted against the window when it is known (the output gets what is left)."""
    started = time.monotonic()
    messages = messages_for(item, folder, config.mode)
    prompt_tokens = None
    attempts: list[CallAttempt] = []

    def finish(status: Status, answer: QaAnswer | None = None, error: str | None = None) -> QaResult:
        return QaResult(
            item=item,
            item_sha256=item_sha256(item),
            run=config,
            endpoint=llm.endpoint,
            mimicbench_version=generator.__version__,
            status=status,
            error=error,
            answer=answer,
            prompt_tokens=prompt_tokens,
            attempts=attempts,
            duration_s=round(time.monotonic() - started, 3),
        )

    max_tokens = llm.settings.max_output_tokens
    try:
        if context.known:
            assert context.counter is not None and context.window.tokens is not None
            prompt_tokens = context.counter.count(messages)
            room = context.window.tokens - prompt_tokens
            if room < MIN_OUTPUT_TOKENS:
                return finish("context_overflow", error=f"{prompt_tokens} prompt tokens leave {room} of the window")
            max_tokens = min(max_tokens or room, room)
        result = llm.chat(
            messages, output_schema=QaAnswer, schema=bounded_schema(QaAnswer, BOUNDS), max_tokens=max_tokens
        )
        attempts = result.attempts
        answer = QaAnswer.model_validate(parse_json_answer(result))
        exceeded = bound_errors(answer, BOUNDS)
        if exceeded:
            return finish("invalid_answer", error=exceeded[0])
    except LLMError as error:
        attempts = error.attempts
        return finish("llm_error", error=f"{error.kind}: {error}")
    except TokenCountError as error:
        return finish("llm_error", error=f"token count: {error}")
    except (AnswerError, ValidationError) as error:
        return finish("invalid_answer", error=str(error).splitlines()[0])
    return finish("ok", answer=answer)


def completed_keys(out: Path, config: QaRunConfig, hashes: dict[tuple[str, str], str]) -> set[tuple[str, str]]:
    """(item, bucket) pairs already answered in `out`, after cutting off a torn last line."""
    if not out.exists():
        return set()
    text = out.read_text(encoding="utf-8")
    done: set[tuple[str, str]] = set()
    kept = 0
    for line in text.splitlines(keepends=True):
        try:
            result = QaResult.model_validate_json(line)
        except ValidationError:
            if line.endswith("\n"):
                raise QaError(
                    f"{out} has a line that is not a `mimicbench qa run` result: pass another --out."
                ) from None
            with out.open("r+", encoding="utf-8") as handle:
                handle.truncate(len(text[:kept].encode("utf-8")))
            break
        if result.run != config:
            raise QaError(f"{out} holds results of another run configuration: pass another --out.")
        if hashes.get(result.key, result.item_sha256) != result.item_sha256:
            raise QaError(
                f"{out} holds a result for {result.item.item_id} from different item content (the qa folder was "
                "built again): pass another --out."
            )
        done.add(result.key)
        kept += len(line)
    return done


def read_results(path: Path) -> list[QaResult]:
    """The result lines of a results file."""
    return read_lines(path, QaResult, "qa run", QaError)
