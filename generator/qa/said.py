"""Verified as said: an item is answerable from the conversations only when, for every evidence row, a turn of
that row's admission cites the row and its text states the row's value (generator/qa/normalize.py). The check
reads the conversation text, never the packet."""

from collections.abc import Mapping

from generator.qa.conversations import Conversation
from generator.qa.items import QaItem, TurnRef
from generator.qa.normalize import is_number, states_name, states_number


def said_turns(
    item: QaItem, conversations: Mapping[int, Conversation], synonyms: Mapping[str, str]
) -> list[TurnRef] | None:
    """The first turn stating each evidence row, or None when some row is not stated (or its admission has no
    conversation)."""
    found = []
    for eid, value, index in zip(
        item.evidence_eids, item.evidence_values, item.evidence_admission_indexes, strict=True
    ):
        conversation = conversations.get(index)
        turn = conversation and next(
            (t for t in conversation.turns if eid in t["evidence_eids"] and states(t["text"], value, item, synonyms)),
            None,
        )
        if not turn:
            return None
        assert conversation is not None
        found.append(
            TurnRef(
                subject_id=item.subject_id, hadm_id=conversation.hadm_id, admission_index=index, turn_id=turn["turn_id"]
            )
        )
    return found


def states(text: str, value: str, item: QaItem, synonyms: Mapping[str, str]) -> bool:
    """`text` states `value`: a number (rounded as written, in the item's unit when one is written), else a name."""
    if is_number(value):
        return states_number(text, float(value), item.gold_unit)
    return states_name(text, value, synonyms)


def has_conversations(item: QaItem, conversations: Mapping[int, Conversation]) -> bool:
    """Every evidence admission has a conversation (so an unstated row was really left unsaid)."""
    return all(index in conversations for index in item.evidence_admission_indexes)
