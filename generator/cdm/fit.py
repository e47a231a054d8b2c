"""Fitting CDM requests into the context window (the window's split and the loop: `generator/context/shrink.py`).

Full information: the case's message shrinks through levels. Microbiology events go first, then lab results
(both from the end of their lists), then every imaging report's text is cut to the same length, 200 characters
shorter a level; the history and the physical examination stay whole.

Tools mode: before every request the history is counted; when it does not fit, the tool results are shortened,
every one to the same length, longest first, with a note saying how much of it is left. The history keeps them
shortened (it is what the model saw). When even empty tool results leave no room, the case cannot go on.
"""

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from generator.cdm.case import HadmCase
from generator.context.shrink import Budget, WindowUse, shrink_to_fit, text_size
from generator.context.tokens import TokenCounter
from generator.context.window import ContextWindow

TEXT_STEP = 200  # characters a level takes off each imaging report, or each tool result


class ContextExhausted(Exception):
    """The request does not fit the window even shrunk as far as it goes; the message says what to change."""


class CaseFit(WindowUse):
    """How a full-information prompt was fitted: the window's use and what was left out."""

    dropped: dict[str, int] = {}


class ShortenedResult(BaseModel):
    """A tool result cut to fit the window: its message's position in the history, and its lengths."""

    message: int
    characters: int
    kept: int


@dataclass
class FittedRequest:
    """A tools-mode request that fits: its output budget, the window's use and the results shortened now."""

    use: WindowUse
    shortened: list[ShortenedResult]


def fit_full_info(
    case: HadmCase,
    messages_of: Callable[[HadmCase], list[dict[str, Any]]],
    *,
    window: ContextWindow,
    counter: TokenCounter | None,
    max_output_tokens: int | None,
) -> tuple[list[dict[str, Any]], CaseFit]:
    """The full-information messages of the case, shrunk until they fit, and the record of it."""
    messages = messages_of(case)
    if window.tokens is None or counter is None:
        unfitted = CaseFit(
            context_window=None,
            window_source=window.source,
            token_counter=None,
            output_tokens_requested=max_output_tokens,
            output_tokens=max_output_tokens,
        )
        return messages, unfitted
    budget = Budget.of(window.tokens, max_output_tokens)
    micro, labs = len(case.microbiology_events), len(case.lab_results)
    longest = max((len(report.text or "") for report in case.radiology_reports), default=0)
    levels = micro + labs + math.ceil(longest / TEXT_STEP)

    def shrunk_case(level: int) -> HadmCase:
        text_cap = max(0, longest - TEXT_STEP * max(0, level - micro - labs))
        return case.model_copy(
            update={
                "microbiology_events": case.microbiology_events[: max(0, micro - level)],
                "lab_results": case.lab_results[: max(0, labs - max(0, level - micro))],
                "radiology_reports": [
                    report.model_copy(update={"text": (report.text or "")[:text_cap]})
                    for report in case.radiology_reports
                ],
            }
        )

    shrunk = shrink_to_fit(
        messages,
        lambda level: messages_of(shrunk_case(level)),
        last=lambda: (levels, messages_of(shrunk_case(levels))),
        size=lambda level: _size(messages_of(shrunk_case(level))),
        count=counter.count,
        limit=budget.prompt_limit,
    )
    if not shrunk.fits:
        raise ContextExhausted(_advice(f"case {case.hadm_id}", shrunk.tokens, budget))
    fitted = shrunk_case(shrunk.level)
    use = budget.use(
        window.source,
        counter.method,
        first_tokens=shrunk.first_tokens,
        tokens=shrunk.tokens,
        counts=shrunk.counts,
        requested=max_output_tokens,
    )
    dropped = {
        "microbiology_events": micro - len(fitted.microbiology_events),
        "lab_results": labs - len(fitted.lab_results),
        "imaging_report_characters": sum(len(r.text or "") for r in case.radiology_reports)
        - sum(len(r.text or "") for r in fitted.radiology_reports),
    }
    return shrunk.value, CaseFit(**use.model_dump(), dropped={k: v for k, v in dropped.items() if v})


def fit_history(
    messages: list[dict[str, Any]],
    tools: Sequence[dict[str, Any]] | None,
    *,
    window: ContextWindow,
    counter: TokenCounter,
    max_output_tokens: int | None,
) -> FittedRequest:
    """Shorten tool results in `messages` (in place) until the request fits; raise ContextExhausted when it can't."""
    assert window.tokens is not None
    budget = Budget.of(window.tokens, max_output_tokens)
    results = [index for index, message in enumerate(messages) if message["role"] == "tool"]
    lengths = {index: len(_text_and_total(messages[index]["content"])[0]) for index in results}
    longest = max(lengths.values(), default=0)

    def cut(level: int) -> list[dict[str, Any]]:
        cap = max(0, longest - TEXT_STEP * level)
        return [_shortened(message, cap) if index in lengths else message for index, message in enumerate(messages)]

    levels = math.ceil(longest / TEXT_STEP)
    shrunk = shrink_to_fit(
        messages,
        cut,
        last=lambda: (levels, cut(levels)),
        size=lambda level: _size(cut(level)),
        count=lambda sent: counter.count(sent, tools),
        limit=budget.prompt_limit,
    )
    if not shrunk.fits:
        raise ContextExhausted(_advice("the history", shrunk.tokens, budget))
    shortened = []
    for index in results:
        if shrunk.value[index]["content"] != messages[index]["content"]:
            messages[index] = shrunk.value[index]
            text, total = _text_and_total(messages[index]["content"])
            shortened.append(ShortenedResult(message=index, characters=total, kept=len(text)))
    use = budget.use(
        window.source,
        counter.method,
        first_tokens=shrunk.first_tokens,
        tokens=shrunk.tokens,
        counts=shrunk.counts,
        requested=max_output_tokens,
    )
    return FittedRequest(use=use, shortened=shortened)


SHORTENED_NOTE = "\n[shortened to fit the context window: the first {kept} of {total} characters]"
_NOTE = re.compile(r"\n\[shortened to fit the context window: the first (\d+) of (\d+) characters\]$")


def _text_and_total(content: str) -> tuple[str, int]:
    """A tool result's text without the shortening note, and its length before any shortening."""
    note = _NOTE.search(content)
    return (content[: note.start()], int(note.group(2))) if note else (content, len(content))


def _shortened(message: dict[str, Any], cap: int) -> dict[str, Any]:
    text, total = _text_and_total(message["content"])
    if len(text) <= cap:
        return message
    return {**message, "content": text[:cap] + SHORTENED_NOTE.format(kept=cap, total=total)}


def _size(messages: Sequence[dict[str, Any]]) -> int:
    return sum(text_size(message.get("content") or "") for message in messages)


def _advice(what: str, tokens: int, budget: Budget) -> str:
    return (
        f"{what} needs {tokens} prompt tokens even shrunk as far as it goes, but a window of {budget.window} leaves "
        f"{budget.prompt_limit} beside the answer's {budget.output_reserved}: use a server with a larger context "
        "and pass it as --context-window, or lower --max-output-tokens."
    )
