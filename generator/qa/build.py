"""`mimicbench qa build`: the warehouse's candidate items checked against the conversations, sampled, and placed
in contexts of each bucket; the result is one qa folder (generator/qa/folder.py writes it)."""

import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from generator.context.tokens import TokenCounter
from generator.qa.contexts import BUCKETS, Block, BlockStore, Context, pack_context, turn_depths
from generator.qa.conversations import Conversation
from generator.qa.items import BenchItem, QaAdmission, QaItem, TurnRef
from generator.qa.said import has_conversations, said_turns

# Families whose question names one row: when the conversation never states it, the conversation does not
# document the fact, and the item is kept as "present in the record but never said". The others are dropped.
ONE_ROW_FAMILIES = frozenset({"value_at_time", "carried_over", "medication_change"})


@dataclass(frozen=True)
class BuildConfig:
    seed: int = 0
    per_family: int = 3  # answerable (and absent-from-record) items kept per patient and family
    not_said_per_family: int = 1  # "present but never said" items kept per patient and family
    buckets: tuple[str, ...] = tuple(BUCKETS)
    reserve_tokens: int = 1024  # left in each bucket for instructions, the question and the answer
    cross_patient_per_context: int = 1  # false-premise questions about a padding patient, per padded context


class QaBuild(BaseModel):
    items: list[BenchItem]
    blocks: list[Block]
    contexts: list[Context]
    report: dict


def build_qa(
    candidates: list[QaItem],
    admissions: list[QaAdmission],
    synonyms: Mapping[str, str],
    conversations: Mapping[int, Mapping[int, Conversation]],
    counter: TokenCounter,
    config: BuildConfig,
) -> QaBuild:
    """Verify, sample, place: every count of what was kept, converted and dropped goes into the report."""
    started = time.monotonic()
    verdicts: Counter = Counter()
    kept: list[tuple[QaItem, str, list[TurnRef]]] = []
    taken: Counter = Counter()
    for item in candidates:
        patient = conversations.get(item.subject_id)
        if not patient:
            verdicts[(item.family, "patient_without_conversations")] += 1
            continue
        source, turns = _verdict(item, patient, synonyms)
        verdicts[(item.family, source)] += 1
        limit = config.not_said_per_family if source == "not_said" else config.per_family
        if source.startswith("dropped") or taken[(item.subject_id, item.family, source)] >= limit:
            continue
        taken[(item.subject_id, item.family, source)] += 1
        kept.append((item, source, turns))

    n_admissions = {a.subject_id: a.n_admissions for a in admissions}
    padding_records = {s: n_admissions[s] for s in conversations}
    store = BlockStore(conversations, counter)
    contexts: dict[str, Context] = {}
    items: list[BenchItem] = []
    not_fit: Counter = Counter()
    for bucket in config.buckets:
        budget = BUCKETS[bucket] - config.reserve_tokens
        for item, source, turns in kept:
            key = f"C{item.subject_id}-{item.asked_after_index}-{bucket}"
            if key not in contexts:
                context = pack_context(
                    store,
                    subject_id=item.subject_id,
                    through_index=item.asked_after_index,
                    bucket=bucket,
                    budget=budget,
                    padding_records=padding_records,
                    seed=config.seed,
                )
                if context is None:
                    not_fit[(bucket, item.family)] += 1
                    continue
                contexts[key] = context
            items.append(_placed(item, source, turns, contexts[key], store.blocks))
        items += _cross_patient_items(items, [c for c in contexts.values() if c.bucket == bucket], store, config)

    report = {
        "candidates": len(candidates),
        "verdicts": _nested(verdicts),
        "kept_items": dict(Counter(source for _, source, _ in kept)),
        "items_per_bucket": {
            b: _nested(Counter((i.family, i.source) for i in items if i.bucket == b)) for b in config.buckets
        },
        "evidence_would_not_fit": _nested(not_fit),
        "contexts": {
            bucket: {
                "count": len(tokens),
                "min_tokens": min(tokens, default=None),
                "max_tokens": max(tokens, default=None),
            }
            for bucket in config.buckets
            for tokens in [[c.tokens for c in contexts.values() if c.bucket == bucket]]
        },
        "token_count_method": counter.method,
        "config": config.__dict__ | {"buckets": list(config.buckets)},
        "seconds": round(time.monotonic() - started, 2),
    }
    return QaBuild(items=items, blocks=list(store.blocks.values()), contexts=list(contexts.values()), report=report)


def _verdict(
    item: QaItem, conversations: Mapping[int, Conversation], synonyms: Mapping[str, str]
) -> tuple[str, list[TurnRef]]:
    """`record` (said, or absent from the record), `not_said`, or why it is dropped."""
    if item.expected == "not_documented":
        return "record", []
    if not has_conversations(item, conversations):
        return "dropped_no_conversation", []
    turns = said_turns(item, conversations, synonyms)
    if turns is not None:
        return "record", turns
    return ("not_said", []) if item.family in ONE_ROW_FAMILIES else ("dropped_not_said", [])


def _placed(item: QaItem, source: str, turns: list[TurnRef], context: Context, blocks: dict[str, Block]) -> BenchItem:
    depths = turn_depths(context, blocks)
    found = [depths[(t.subject_id, t.admission_index, t.turn_id)] for t in turns]
    fields = item.model_dump()
    if source == "not_said":
        fields["expected"] = "not_documented"
    return BenchItem(
        **fields,
        source=source,
        said_turns=turns,
        bucket=context.bucket,
        context_id=context.context_id,
        evidence_depth=min(found) if found else None,
    )


def _cross_patient_items(
    placed: list[BenchItem], contexts: list[Context], store: BlockStore, config: BuildConfig
) -> list[BenchItem]:
    """Per padded context, questions about a padding patient's stated facts asked of the context's patient
    (a false premise: expected "not documented"), where the padding holds every turn that states them."""
    answerable: dict[int, list[BenchItem]] = defaultdict(list)
    seen: set[str] = set()
    for item in placed:
        if item.source == "record" and item.expected == "answer" and item.item_id not in seen:
            seen.add(item.item_id)
            answerable[item.subject_id].append(item)
    own_questions = {(i.subject_id, i.question) for i in placed}
    crossed = []
    for context in contexts:
        present = set(context.block_ids)
        options = [
            item
            for other in context.padding_subject_ids
            for item in answerable[other]
            if all(f"A{t.subject_id}-{t.admission_index}" in present for t in item.said_turns)
            and (context.subject_id, item.question) not in own_questions
        ]
        options.sort(
            key=lambda i: hashlib.sha256(f"{config.seed}|{context.context_id}|{i.item_id}".encode()).hexdigest()
        )
        depths = turn_depths(context, store.blocks)
        for item in options[: config.cross_patient_per_context]:
            fields = item.model_dump(exclude={"source", "said_turns", "bucket", "context_id", "evidence_depth"})
            fields |= {
                "item_id": f"{item.item_id}-X{context.subject_id}-{context.through_index}",
                "subject_id": context.subject_id,
                "family": "cross_patient",
                "expected": "not_documented",
                "asked_after_index": context.through_index,
                "admission_distance": 0,
            }
            found = [depths[(t.subject_id, t.admission_index, t.turn_id)] for t in item.said_turns]
            crossed.append(
                BenchItem(
                    **fields,
                    source="cross_patient",
                    said_turns=item.said_turns,
                    bucket=context.bucket,
                    context_id=context.context_id,
                    evidence_depth=min(found) if found else None,
                )
            )
    return crossed


def _nested(counts: Counter) -> dict[str, dict[str, int]]:
    nested: dict[str, dict[str, int]] = defaultdict(dict)
    for (outer, inner), n in sorted(counts.items()):
        nested[outer][inner] = n
    return dict(nested)
