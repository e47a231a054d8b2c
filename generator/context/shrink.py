"""The window's budget and the loop that shrinks a prompt until it fits, shared by every kind of prompt.

The window is split three ways: a margin (1/64 of it, at least 16 tokens), room for the answer
(`--max-output-tokens`, but at most a quarter of the window while fitting) and the prompt. A prompt that is too
long is shrunk through numbered levels (level 0: as given; each level drops more; the last drops all that may
go). Sizes in characters predict which level should fit; the counted tokens decide (`shrink_to_fit`). Nothing
else goes in, so the same prompt, window and tokenizer always give the same level.
"""

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

MARGIN_SHARE = 64
MIN_MARGIN = 16
OUTPUT_SHARE = 4
FIT_ROUNDS = 6  # counted guesses at most, after the prompt as given
AIM = 0.98  # guesses aim this far below the limit
FILL = 0.95  # a prompt that fits and fills this much of the limit is taken

T = TypeVar("T")


class WindowUse(BaseModel):
    """How one prompt used the window: the records every fitted request carries."""

    context_window: int | None
    window_source: str
    token_counter: str | None
    prompt_limit: int | None = None
    unfitted_prompt_tokens: int | None = None
    prompt_tokens: int | None = None
    token_counts: int = 0
    output_tokens_requested: int | None
    output_tokens: int | None
    output_clamped: bool = False


@dataclass(frozen=True)
class Budget:
    """The window's split: margin, the answer's room while fitting, and what that leaves the prompt."""

    window: int
    margin: int
    output_reserved: int
    prompt_limit: int

    @classmethod
    def of(cls, window: int, max_output_tokens: int | None) -> "Budget":
        margin = max(MIN_MARGIN, window // MARGIN_SHARE)
        share = window // OUTPUT_SHARE
        reserved = share if max_output_tokens is None else min(max_output_tokens, share)
        return cls(window=window, margin=margin, output_reserved=reserved, prompt_limit=window - margin - reserved)

    def output_tokens(self, prompt_tokens: int, requested: int | None) -> int:
        """What the answer may use once the prompt is `prompt_tokens` long: all that is left, up to `requested`."""
        left = self.window - self.margin - prompt_tokens
        return left if requested is None else min(requested, left)

    def use(
        self, source: str, counter: str, *, first_tokens: int, tokens: int, counts: int, requested: int | None
    ) -> WindowUse:
        """The record of a prompt of `tokens` tokens (`first_tokens` before shrinking) sent in this window."""
        output = self.output_tokens(tokens, requested)
        return WindowUse(
            context_window=self.window,
            window_source=source,
            token_counter=counter,
            prompt_limit=self.prompt_limit,
            unfitted_prompt_tokens=first_tokens,
            prompt_tokens=tokens,
            token_counts=counts,
            output_tokens_requested=requested,
            output_tokens=output,
            output_clamped=requested is None or output < requested,
        )


@dataclass
class Shrunk(Generic[T]):
    """The prompt the loop settled on, its level and tokens; `fits` is False when even the last level is over."""

    value: T
    level: int
    tokens: int
    first_tokens: int
    counts: int
    fits: bool


def shrink_to_fit(
    first: T,
    build: Callable[[int], T],
    *,
    levels: int,
    shrinkable_characters: Callable[[int], int],
    characters: Callable[[T], int],
    count: Callable[[T], int],
    limit: int,
) -> Shrunk[T]:
    """Shrink `first` (level 0) through `build(level)` until `count` is within `limit`, dropping little more than
    needed.

    `shrinkable_characters(level)` is what the droppable part still holds at `level` (non-increasing),
    `characters(value)` the whole prompt's characters; `levels` is the last level. The first guess spends the
    excess tokens at the whole prompt's tokens per character; later guesses draw a line (tokens against
    shrinkable characters) through the highest level that is too long and the lowest that fits, or the start. It
    stops at a prompt within `FILL` of the limit, at two neighbouring levels, or after `FIT_ROUNDS` guesses.
    """
    tokens = first_tokens = count(first)
    counts = 1
    if tokens <= limit:
        return Shrunk(first, 0, tokens, first_tokens, counts, fits=True)
    aim = AIM * limit
    start = over = (0, shrinkable_characters(0), tokens)  # the highest level known to be too long
    fit: tuple[int, int, int, T] | None = None  # the lowest level known to fit, with its value
    wanted = over[1] - (tokens - aim) * characters(first) / tokens
    for _ in range(FIT_ROUNDS):
        level = max(over[0] + 1, _level_for(int(wanted), levels, shrinkable_characters))
        if fit is not None and level >= fit[0]:
            break
        value = build(level)
        tokens, counts = count(value), counts + 1
        if tokens <= limit:
            fit = (level, shrinkable_characters(level), tokens, value)
            if tokens >= FILL * limit or level == over[0] + 1:
                break
        elif level == levels:
            return Shrunk(value, level, tokens, first_tokens, counts, fits=False)
        else:
            over = (level, shrinkable_characters(level), tokens)
        below = fit[1:3] if fit is not None else start[1:]  # the line's other point: a fit, else the start
        slope = (below[1] - over[2]) / (below[0] - over[1]) if below[0] != over[1] else 0.0
        if slope > 0:  # tokens per shrinkable character
            wanted = over[1] - (over[2] - aim) / slope
    if fit is None:
        value = build(levels)
        tokens, counts = count(value), counts + 1
        return Shrunk(value, levels, tokens, first_tokens, counts, fits=tokens <= limit)
    level, _, tokens, value = fit
    return Shrunk(value, level, tokens, first_tokens, counts, fits=True)


def _level_for(characters: int, levels: int, shrinkable_characters: Callable[[int], int]) -> int:
    """The lowest level whose shrinkable part holds at most `characters` (the last level if none does)."""
    fitting = bisect.bisect_left(range(levels + 1), True, key=lambda level: shrinkable_characters(level) <= characters)
    return min(fitting, levels)
