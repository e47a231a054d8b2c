"""The window's budget and the loop that shrinks a prompt until it fits, shared by every kind of prompt.

The window is split three ways: a margin (1/64 of it, at least 16 tokens), room for the answer
(`--max-output-tokens`, but at most a quarter of the window while fitting) and the prompt. A prompt that is too
long is shrunk through numbered levels (level 0: as given; each level drops more; the last drops all that may
go). Sizes (`text_size`, a local stand-in for tokens) predict which level should fit; the counted tokens decide
(`shrink_to_fit`). A prompt that a lower bound (its characters, or the count of its beginning) already puts over the
limit is not counted.
Nothing else goes in, so the same prompt, window and tokenizer always give the same level.
"""

import bisect
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

MARGIN_SHARE = 64
MIN_MARGIN = 16
OUTPUT_SHARE = 4
FIT_ROUNDS = 6  # counted guesses at most, after the prompt as given
AIM = 0.97  # guesses aim this far below the limit
FILL = 0.9  # a prompt that fits and fills this much of the limit is taken

T = TypeVar("T")
PIECE = re.compile(r"[A-Za-z]+|\d{1,3}|[^\sA-Za-z\d]")


def text_size(text: str) -> int:
    """A local stand-in for a text's token count: its words, runs of up to three digits and symbols.

    Tokenizers split ids and numbers much finer than prose, so this follows token counts across rows of
    different kinds far better than characters do (a lab row costs about as many pieces as tokens)."""
    return len(PIECE.findall(text))


class WindowUse(BaseModel):
    """How one prompt used the window: the records every fitted request carries.

    `unfitted_prompt_tokens` is the prompt as first made, counted; when a lower bound (its characters, or the count
    of its beginning) already put it over the limit it was not counted (None), and `unfitted_prompt_tokens_at_least`
    holds that bound instead."""

    context_window: int | None
    window_source: str
    token_counter: str | None
    prompt_limit: int | None = None
    unfitted_prompt_tokens: int | None = None
    unfitted_prompt_tokens_at_least: int | None = None
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

    def leaving(self, tokens: int) -> "Budget":
        """The same split with `tokens` fewer for the prompt (room kept for a later turn)."""
        return dataclasses.replace(self, prompt_limit=self.prompt_limit - tokens)

    def output_tokens(self, prompt_tokens: int, requested: int | None) -> int:
        """What the answer may use once the prompt is `prompt_tokens` long: all that is left, up to `requested`."""
        left = self.window - self.margin - prompt_tokens
        return left if requested is None else min(requested, left)

    def use(
        self,
        source: str,
        counter: str,
        *,
        first_tokens: int | None,
        first_at_least: int | None = None,
        tokens: int,
        counts: int,
        requested: int | None,
    ) -> WindowUse:
        """The record of a prompt of `tokens` tokens sent in this window; before shrinking it had `first_tokens`
        (None: not counted, at least `first_at_least`)."""
        output = self.output_tokens(tokens, requested)
        return WindowUse(
            context_window=self.window,
            window_source=source,
            token_counter=counter,
            prompt_limit=self.prompt_limit,
            unfitted_prompt_tokens=first_tokens,
            unfitted_prompt_tokens_at_least=first_at_least,
            prompt_tokens=tokens,
            token_counts=counts,
            output_tokens_requested=requested,
            output_tokens=output,
            output_clamped=requested is None or output < requested,
        )


@dataclass
class Shrunk(Generic[T]):
    """The prompt the loop settled on, its level and tokens; `fits` is False when even the last level is over.

    `first_tokens` is the first prompt's count, None when `first_at_least` (a local lower bound) put it over."""

    value: T
    level: int
    tokens: int
    first_tokens: int | None
    counts: int
    fits: bool
    first_at_least: int | None = None


def shrink_to_fit(
    first: T,
    build: Callable[[int], T],
    *,
    last: Callable[[], tuple[int, T]],
    size: Callable[[int], int],
    count: Callable[[T], int],
    limit: int,
    least_tokens: Callable[[T], int] | None = None,
    count_beginning: Callable[[T], tuple[int, int] | None] | None = None,
) -> Shrunk[T]:
    """Shrink `first` (level 0) through `build(level)` until `count` is within `limit`, dropping little more than
    needed.

    `last()` is the last level (`levels`) and its prompt, the smallest, made without cost (it is counted, never
    returned); `size(level)` is the prompt's size (`text_size`) at `level` (non-increasing); neither is asked for
    when `first` fits. Each guess draws a line, tokens against size, through the highest level known to be too long
    and the lowest known to fit (at first: the prompt as given and the smallest one) and takes the level where it
    meets `AIM` of the limit. It stops at a prompt within `FILL` of the limit, at two neighbouring levels, or after
    `FIT_ROUNDS` guesses. When even the smallest prompt is too long, nothing is built.

    `first` is the longest prompt, its count the dearest; two lower bounds can spare it. `least_tokens(value)` is
    a local one; `count_beginning(value)` counts the prompt's beginning, with its size (None: the prompt is not long
    enough for that to pay). When either puts `first` over the limit, `first` is not counted; the first line takes
    its tokens on the line through the smallest prompt and the beginning, or else as the smallest prompt's tokens
    per unit of size times its size (at least the bound). A long prompt's beginning is counted even when its
    characters alone put it over: the smallest prompt is mostly prose, the beginning holds rows too, so the line
    through both aims the first guess where the rows' tokens are.
    """
    counts, beginning = 0, None
    first_at_least = least_tokens(first) if least_tokens is not None else None
    if count_beginning is not None:
        beginning = count_beginning(first)
        if beginning is not None:
            first_at_least, counts = max(beginning[0], first_at_least or 0), counts + 1
    if first_at_least is not None and first_at_least > limit:
        first_tokens = None
    else:
        first_at_least, counts = None, counts + 1
        tokens = first_tokens = count(first)
        if tokens <= limit:
            return Shrunk(first, 0, tokens, first_tokens, counts, fits=True)
    levels, floor_value = last()
    floor_tokens, counts = count(floor_value), counts + 1
    if floor_tokens > limit:
        return Shrunk(floor_value, levels, floor_tokens, first_tokens, counts, False, first_at_least)
    over_tokens = first_tokens
    if over_tokens is None:  # a guess, corrected by the first count over the limit
        per_size = floor_tokens / max(1, size(levels))
        if beginning is not None and beginning[1] > size(levels):
            per_size = (beginning[0] - floor_tokens) / (beginning[1] - size(levels))
        over_tokens = max(first_at_least, round(floor_tokens + per_size * (size(0) - size(levels))))
    over = (0, size(0), over_tokens)  # the highest level known to be too long
    under = (levels, size(levels), floor_tokens)  # the lowest level known to fit
    fit: tuple[int, T] | None = None  # the lowest level built that fits, with its value
    for _ in range(FIT_ROUNDS):
        slope = (over[2] - under[2]) / max(1, over[1] - under[1])  # tokens per unit of size
        wanted = under[1] + (AIM * limit - under[2]) / max(slope, 1e-9)
        level = max(over[0] + 1, _level_for(int(wanted), levels, size))
        if level >= under[0] and fit is not None:
            break
        value = build(level)
        tokens, counts = count(value), counts + 1
        if tokens <= limit:
            under, fit = (level, size(level), tokens), (level, value)
            if tokens >= FILL * limit or level == over[0] + 1:
                break
        elif level == levels:
            return Shrunk(value, level, tokens, first_tokens, counts, False, first_at_least)
        else:
            over = (level, size(level), tokens)
    if fit is None:
        value = build(levels)
        tokens, counts = count(value), counts + 1
        return Shrunk(value, levels, tokens, first_tokens, counts, tokens <= limit, first_at_least)
    return Shrunk(fit[1], fit[0], under[2], first_tokens, counts, True, first_at_least)


def _level_for(wanted: int, levels: int, size: Callable[[int], int]) -> int:
    """The lowest level whose prompt's size is at most `wanted` (the last level if none is)."""
    fitting = bisect.bisect_left(range(levels + 1), True, key=lambda level: size(level) <= wanted)
    return min(fitting, levels)
