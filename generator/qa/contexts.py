"""Contexts of controlled length: a patient's conversations through the admission a question is asked after,
padded with other patients' conversations (clearly delimited) up to a bucket's token budget.

Text is stored once per block (an admission as rendered, or a delimiter); a context is a list of block ids.
Tokens are counted per block with the server's tokenizer when there is one, else with the estimate of
generator/context/tokens.py; a context's count is the sum of its blocks' counts, each a whole chat message, so
it counts a little more than the joined text costs. A patient's own blocks are never cut: a question whose
record does not fit a bucket is left out of that bucket (and counted).
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel

from generator.context.tokens import TokenCounter
from generator.qa.conversations import Conversation, render_admission

BUCKETS = {"8k": 8192, "32k": 32768, "128k": 131072}
OWN_START = "##### The patient's record: the questions are about this patient #####\n"
OWN_END = "##### End of the patient's record #####\n"
OTHER_START = "##### Another patient's record: NOT the patient the questions are about #####\n"
OTHER_END = "##### End of the other patient's record #####\n"
SEPARATORS = {"own-start": OWN_START, "own-end": OWN_END, "other-start": OTHER_START, "other-end": OTHER_END}


class Block(BaseModel):
    """One stored piece of context text: an admission as rendered (`A<subject>-<k>`) or a delimiter."""

    block_id: str
    subject_id: int | None
    admission_index: int | None
    text: str
    tokens: int
    turn_offsets: dict[int, int]


class Context(BaseModel):
    """A bucket's context for one patient through one admission: block ids in order, and the total tokens."""

    context_id: str
    bucket: str
    subject_id: int
    through_index: int
    block_ids: list[str]
    tokens: int
    padding_subject_ids: list[int]


@dataclass
class BlockStore:
    """Renders and counts each block once."""

    conversations: Mapping[int, Mapping[int, Conversation]]
    counter: TokenCounter
    blocks: dict[str, Block] = field(default_factory=dict)

    def admission(self, subject_id: int, index: int) -> Block:
        block_id = f"A{subject_id}-{index}"
        if block_id not in self.blocks:
            rendered = render_admission(subject_id, index, self.conversations.get(subject_id, {}).get(index))
            self.blocks[block_id] = Block(
                block_id=block_id,
                subject_id=subject_id,
                admission_index=index,
                text=rendered.text,
                tokens=self._count(rendered.text),
                turn_offsets=rendered.turn_offsets,
            )
        return self.blocks[block_id]

    def separator(self, name: str) -> Block:
        if name not in self.blocks:
            text = SEPARATORS[name]
            self.blocks[name] = Block(
                block_id=name,
                subject_id=None,
                admission_index=None,
                text=text,
                tokens=self._count(text),
                turn_offsets={},
            )
        return self.blocks[name]

    def _count(self, text: str) -> int:
        return self.counter.count([{"role": "user", "content": text}])


def seeded_order(seed: int, key: str, values: list[int]) -> list[int]:
    """`values` in the order of the SHA-256 of seed, key and value: the same inputs, the same order."""
    return sorted(values, key=lambda v: hashlib.sha256(f"{seed}|{key}|{v}".encode()).hexdigest())


def pack_context(
    store: BlockStore,
    *,
    subject_id: int,
    through_index: int,
    bucket: str,
    budget: int,
    padding_records: Mapping[int, int],
    seed: int,
) -> Context | None:
    """The patient's admissions 1..through_index, padded with whole admissions of other patients (in seeded
    order, each patient's from the first) while they fit in `budget` tokens; the patient's section sits at a
    seeded place among the padding sections. None when the patient's own section does not fit."""
    own = [store.separator("own-start")]
    own += [store.admission(subject_id, k) for k in range(1, through_index + 1)]
    own.append(store.separator("own-end"))
    used = sum(b.tokens for b in own)
    if used > budget:
        return None
    key = f"{subject_id}|{through_index}|{bucket}"
    sections: list[list[Block]] = []
    padding: list[int] = []
    frame = store.separator("other-start").tokens + store.separator("other-end").tokens
    for other in seeded_order(seed, key, [s for s in padding_records if s != subject_id]):
        section = []
        for index in range(1, padding_records[other] + 1):
            block = store.admission(other, index)
            if used + frame + sum(b.tokens for b in section) + block.tokens > budget:
                break
            section.append(block)
        if not section:
            continue
        sections.append([store.separator("other-start"), *section, store.separator("other-end")])
        used += frame + sum(b.tokens for b in section)
        padding.append(other)
    place = int(hashlib.sha256(f"{seed}|place|{key}".encode()).hexdigest(), 16) % (len(sections) + 1)
    sections.insert(place, own)
    blocks = [block for section in sections for block in section]
    return Context(
        context_id=f"C{subject_id}-{through_index}-{bucket}",
        bucket=bucket,
        subject_id=subject_id,
        through_index=through_index,
        block_ids=[b.block_id for b in blocks],
        tokens=used,
        padding_subject_ids=padding,
    )


def context_text(context: Context, blocks: Mapping[str, Block]) -> str:
    return "".join(blocks[block_id].text for block_id in context.block_ids)


def turn_depths(context: Context, blocks: Mapping[str, Block]) -> dict[tuple[int, int, int], float]:
    """Where each turn of the context starts, as a share of the context's characters (0 start, 1 end), keyed by
    (subject, admission number, turn id)."""
    total = sum(len(blocks[b].text) for b in context.block_ids) or 1
    depths: dict[tuple[int, int, int], float] = {}
    position = 0
    for block_id in context.block_ids:
        block = blocks[block_id]
        if block.subject_id is not None and block.admission_index is not None:
            for turn_id, offset in block.turn_offsets.items():
                depths[(block.subject_id, block.admission_index, turn_id)] = round((position + offset) / total, 4)
        position += len(block.text)
    return depths
