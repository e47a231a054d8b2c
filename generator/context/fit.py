"""Fitting an admission's prompt into the context window by tightening its row caps, deterministically.

When the prompt as first read does not fit (`generator/context/shrink.py` splits the window), rows are dropped
in one fixed order until it does:
- sections go in tiers (`SHRINK_TIERS`): order details first, then orders and administrations, then labs,
  microbiology, prescriptions and radiology details, then stays, services, procedures and DRGs, radiology
  reports and diagnoses last; the discharge note (with its details), the admission header and the previous
  admission's summary are never shortened;
- within a tier every section loses the same share of its rows, in its `keep_priority` order (the rows the build
  keeps last go first: for labs the normal results between each analyte's first and last one).
Dropping means lowering caps: the fitted packet is read from the warehouse with the tightened caps (so the
prompt says "N of M kept"), rendered and counted again. Row sizes (`text_size`) predict where to cut; the counted tokens
decide; the prompt as first read is not counted when its characters alone (`least_tokens`), or the count of its
beginning (`beginning_over`), put it over; while a prompt likely over is counted, the smallest prompt is made and
counted beside it (the server tokenizes while we render). Each row is rendered once, whatever the re-reads. Same
packet, window and tokenizer: same caps, same prompt, byte for byte. The prompt also leaves 1/`REPAIR_SHARE` of the
window for a repair round's list of what was wrong.
"""

import bisect
import functools
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from generator.context.shrink import Budget, WindowUse, shrink_to_fit, text_size
from generator.context.tokens import TokenCounter, beginning_over, least_tokens
from generator.context.window import ContextWindow
from generator.packet import Packet
from generator.prompt import Prompt, row_texts

SHRINK_TIERS: tuple[tuple[str, ...], ...] = (
    ("poe_details", "emar_details"),
    ("poe", "pharmacy", "emar"),
    ("labs", "microbiology", "prescriptions", "radiology_note_details"),
    ("transfers", "services", "icustays", "procedures", "drg_codes"),
    ("radiology_notes", "diagnoses"),
)
NEVER_SHRUNK = ("discharge_notes", "discharge_note_details")
REPAIR_SHARE = 32  # the fitted prompt leaves 1/32 of the window for a repair turn (what was wrong, briefly)
# A prompt as read is likely over the limit when its characters at 1.5 a token (our prompts' cost), a quarter of
# what `least_tokens` assumes, are: then the smallest prompt is made and counted while the first count runs.
LIKELY_OVER = 4


class ContextOverflow(Exception):
    """Even the smallest prompt leaves no room for the answer; the message says what to change."""

    kind = "context_overflow"


class FitRecord(WindowUse):
    """How an admission's prompt was fitted (in `prompt_record.json`, and part of the resume key)."""

    caps: dict[str, int | None]
    rows_dropped: dict[str, int] = {}


@dataclass
class FittedPrompt:
    packet: Packet
    prompt: Prompt
    record: FitRecord


def fit_admission(
    read: Callable[[Mapping[str, int | None]], Packet],
    render: Callable[[Packet, dict[str, str]], Prompt],
    *,
    caps: Mapping[str, int | None],
    window: ContextWindow,
    counter: TokenCounter | None,
    max_output_tokens: int | None,
) -> FittedPrompt:
    """The admission's packet and prompt, read with `caps` and tightened until the prompt fits the window.

    `read(caps)` reads the packet with those caps (section -> cap, missing = the build's); `render(packet, rendered)`
    renders it, taking and keeping row texts in `rendered` (by evidence id; `render_prompt` does).
    After the first read only tighter caps are asked for, so `Warehouse.recapped` on the first packet serves them.
    With an unknown window (or no counter) the packet is read with `caps` and nothing is counted or fitted.
    """
    rendered: dict[str, str] = {}
    first = read(caps)
    prompt = render(first, rendered)
    if window.tokens is None or counter is None:
        record = FitRecord(
            context_window=None,
            window_source=window.source,
            token_counter=None,
            output_tokens_requested=max_output_tokens,
            output_tokens=max_output_tokens,
            caps=_caps_of(first),
        )
        return FittedPrompt(first, prompt, record)
    budget = Budget.of(window.tokens, max_output_tokens).leaving(window.tokens // REPAIR_SHARE)

    first_built = (first, prompt)
    likely_over = LIKELY_OVER * least_tokens(prompt.messages()) > budget.prompt_limit

    @functools.cache
    def plan() -> DropPlan:  # made only when the prompt as read may not fit
        return DropPlan(first, rendered)

    @functools.cache
    def last() -> tuple[int, tuple[Packet, Prompt]]:
        bare = plan().without_shrinkable(first)
        return plan().levels, (bare, render(bare, rendered))

    @functools.cache
    def fixed_size() -> int:
        return sum(text_size(message["content"]) for message in last()[1][1].messages())

    def build(level: int) -> tuple[Packet, Prompt]:
        packet = read({**caps, **plan().caps_at(level)})
        return packet, render(packet, rendered)

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="token-count") as beside:

        @functools.cache
        def floor_count() -> Future[int]:
            return beside.submit(counter.count, last()[1][1].messages())

        def count_first(messages: Sequence[dict[str, Any]]) -> Future[int]:
            """Starts counting (part of) the prompt as read; a likely-over prompt's smallest one is made and counted
            meanwhile (the server tokenizes while we render)."""
            counting = beside.submit(counter.count, messages)
            if likely_over:
                floor_count()
            return counting

        def count(built: tuple[Packet, Prompt]) -> int:
            if built is first_built:
                return count_first(built[1].messages()).result()
            if built is last()[1]:
                return floor_count().result()
            return counter.count(built[1].messages())

        def count_beginning(built: tuple[Packet, Prompt]) -> tuple[int, int] | None:
            cut = beginning_over(built[1].messages(), budget.prompt_limit)
            if cut is None:
                return None
            counting = count_first(cut)
            return counting.result(), sum(text_size(message["content"]) for message in cut)

        shrunk = shrink_to_fit(
            first_built,
            build,
            last=last,
            size=lambda level: fixed_size() + plan().kept_size(level),
            count=count,
            limit=budget.prompt_limit,
            least_tokens=lambda built: least_tokens(built[1].messages()),
            count_beginning=count_beginning,
        )
    packet, prompt = shrunk.value
    if not shrunk.fits:
        raise ContextOverflow(
            f"admission {packet.hadm_id} needs {shrunk.tokens} prompt tokens even with every shrinkable section "
            f"empty, but a window of {budget.window} leaves {budget.prompt_limit} beside the answer's "
            f"{budget.output_reserved}: use a server with a larger context (llama.cpp --ctx-size, vLLM "
            "--max-model-len) and pass it as --context-window, or lower --max-output-tokens."
        )
    use = budget.use(
        window.source,
        counter.method,
        first_tokens=shrunk.first_tokens,
        first_at_least=shrunk.first_at_least,
        tokens=shrunk.tokens,
        counts=shrunk.counts,
        requested=max_output_tokens,
    )
    record = FitRecord(**use.model_dump(), caps=_caps_of(packet), rows_dropped=_rows_dropped(first, packet))
    return FittedPrompt(packet, prompt, record)


class DropPlan:
    """The packet's shrinkable rows in the order fitting drops them; level k drops the first k.

    A row of a child section (it has a `parent_eid`) also leaves when its parent does, as the warehouse's cap
    rule has it; the plan only predicts sizes with that, the warehouse decides what a cap keeps.
    """

    def __init__(self, packet: Packet, rendered: dict[str, str]):
        texts = row_texts(packet, rendered)
        keyed = []
        for tier_index, tier in enumerate(SHRINK_TIERS):
            for section_index, name in enumerate(tier):
                section = packet.sections.get(name)
                if section is None or not section.rows:
                    continue
                sizes = dict(zip((row["eid"] for row in section.rows), map(text_size, texts[name]), strict=True))
                ranked = sorted(section.rows, key=lambda row: row["keep_priority"])
                for rank, row in enumerate(ranked, start=1):
                    key = (tier_index, -rank / len(ranked), section_index)
                    keyed.append(
                        (key, name, row["keep_priority"], row["eid"], row.get("parent_eid"), sizes[row["eid"]])
                    )
        keyed.sort(key=lambda item: item[0])
        self.rows = [(name, priority) for _, name, priority, *_ in keyed]
        self.sections = {name for tier in SHRINK_TIERS for name in tier}
        self.levels = len(self.rows)
        position = {eid: index for index, (_, _, _, eid, _, _) in enumerate(keyed)}
        gone_at = [min(index, position.get(parent, index)) for index, (*_, parent, _) in enumerate(keyed)]
        order = sorted(range(len(keyed)), key=lambda index: gone_at[index])
        self._gone_at = [gone_at[index] for index in order]
        self._dropped = [0, *accumulate(keyed[index][5] for index in order)]

    def kept_size(self, level: int) -> int:
        """The size (`text_size`) of the shrinkable rows still kept at `level`."""
        return self._dropped[-1] - self._dropped[bisect.bisect_left(self._gone_at, level)]

    def without_shrinkable(self, packet: Packet) -> Packet:
        """The packet with every shrinkable section empty: what the last level keeps, without reading it."""
        emptied = {
            name: section.model_copy(
                update={"rows": [], "rows_kept": 0, "truncated": bool(section.rows_seen), "cap": 0}
            )
            for name, section in packet.sections.items()
            if name in self.sections
        }
        return packet.model_copy(update={"sections": {**packet.sections, **emptied}})

    def caps_at(self, level: int) -> dict[str, int]:
        """The caps that drop the first `level` rows: per touched section, just below its lowest dropped priority."""
        caps: dict[str, int] = {}
        for name, priority in self.rows[:level]:
            caps[name] = min(caps.get(name, priority), priority - 1)
        return caps


def _caps_of(packet: Packet) -> dict[str, int | None]:
    return {name: section.cap for name, section in packet.sections.items()}


def _rows_dropped(before: Packet, after: Packet) -> dict[str, int]:
    return {
        name: section.rows_kept - after.sections[name].rows_kept
        for name, section in before.sections.items()
        if section.rows_kept != after.sections[name].rows_kept
    }
