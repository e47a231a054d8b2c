"""Streamed Chat Completions: the answer assembled from its chunks, and the requests still waiting for one.

Answers are streamed so that `--request-timeout` can be the longest silence a server is allowed (before its
first byte, then between two chunks) rather than a cap on the whole answer: a slow server that is still
producing tokens is never cut off, a hung one is given up on after that many seconds.
"""

import itertools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StreamedToolCall:
    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass
class StreamedAnswer:
    """What a streamed answer adds up to: the same fields a non-streamed completion has."""

    content: str | None = None
    tool_calls: list[StreamedToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


def collect(chunks: Iterable[Any]) -> StreamedAnswer:
    """Join the chunks of one streamed choice: content and tool-call arguments concatenated, tool calls by index,
    the last finish reason, and the usage the final chunk carries (`stream_options.include_usage`)."""
    answer = StreamedAnswer()
    parts: list[str] = []
    calls: dict[int, StreamedToolCall] = {}
    for chunk in chunks:
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            answer.prompt_tokens, answer.completion_tokens = usage.prompt_tokens, usage.completion_tokens
        for choice in chunk.choices or []:
            delta = choice.delta
            if delta is not None and delta.content:
                parts.append(delta.content)
            for call in (delta.tool_calls if delta is not None else None) or []:
                joined = calls.setdefault(call.index, StreamedToolCall())
                joined.id = call.id or joined.id
                if call.function is not None:
                    joined.name = call.function.name or joined.name
                    joined.arguments += call.function.arguments or ""
            if choice.finish_reason:
                answer.finish_reason = choice.finish_reason
    answer.content = "".join(parts) if parts or not calls else None
    answer.tool_calls = [calls[index] for index in sorted(calls)]
    return answer


class InFlight:
    """The requests sent and not yet answered, so a progress display can show how long the oldest has waited."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._started: dict[int, float] = {}
        self._numbers = itertools.count()
        self._lock = threading.Lock()

    @contextmanager
    def request(self) -> Iterator[None]:
        """Count the request as in flight for the duration of the `with` block."""
        with self._lock:
            number = next(self._numbers)
            self._started[number] = self._clock()
        try:
            yield
        finally:
            with self._lock:
                del self._started[number]

    def count(self) -> int:
        with self._lock:
            return len(self._started)

    def oldest_s(self) -> float | None:
        """Seconds the oldest request in flight has waited; None when none is."""
        with self._lock:
            oldest = min(self._started.values(), default=None)
        return None if oldest is None else self._clock() - oldest
