"""How stated values are compared: numbers (with rounding and units) and names (drugs, organisms, synonyms).

One rule for both uses: the said-check (does a turn state the gold value?) and the scorer (does an answer match
the gold?)."""

import re
from collections.abc import Mapping

NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:[.,]\d+)?(?:\s*(?P<unit>[a-zA-Z%/^0-9µ]+(?:/[a-zA-Z0-9µ]+)?))?")
UNIT_ALIASES = {
    "k/ul": "10^9/l",
    "x10^9/l": "10^9/l",
    "10*9/l": "10^9/l",
    "meq/l": "mmol/l",
    "mg/dl": "mg/dl",
    "iu/l": "u/l",
}
UNIT_WORDS = frozenset(
    {"fl", "pg", "ng", "mg", "g", "mcg", "ml", "l", "sec", "s", "mm", "mmhg", "iu", "u", "unit", "units"}
)
WORD = re.compile(r"[a-z0-9]+")


def stated_numbers(text: str) -> list[tuple[float, int, str | None]]:
    """Each number in `text` with its decimals and the unit written right after it (lower case), if any."""
    found = []
    for match in NUMBER.finditer(text):
        literal = match.group(0)
        unit = match.group("unit")
        digits = literal[: len(literal) - len(unit)].strip() if unit else literal.strip()
        digits = digits.replace(",", ".")
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        found.append((float(digits), decimals, unit.lower() if unit and _looks_like_unit(unit) else None))
    return found


def _looks_like_unit(word: str) -> bool:
    """A unit written after a number ("mg/dL", "%", "fL"), not the next word of the sentence ("today")."""
    return any(mark in word for mark in "/%^") or word.lower() in UNIT_WORDS


def same_unit(stated: str | None, gold: str | None) -> bool:
    """True unless both units are known and differ after aliases (a unit left out never conflicts)."""
    if not stated or not gold:
        return True
    return UNIT_ALIASES.get(stated.lower(), stated.lower()) == UNIT_ALIASES.get(gold.lower(), gold.lower())


def states_number(text: str, gold: float, unit: str | None = None) -> bool:
    """`text` states `gold`: some number in it equals the gold rounded to that number's decimals (so 1.23 is
    stated by "1.2" and "1.23", 131 by "131.0"), with no other unit right after it."""
    for value, decimals, stated_unit in stated_numbers(text):
        if abs(value - gold) <= 0.5 * 10**-decimals + 1e-9 and (stated_unit is None or same_unit(stated_unit, unit)):
            return True
    return False


def canonical_name(text: str, synonyms: Mapping[str, str]) -> str:
    """Lower-case words (punctuation dropped) with every synonym phrase replaced by its canonical name."""
    words = " ".join(WORD.findall(text.lower()))
    for term, canonical in sorted(synonyms.items(), key=lambda pair: -len(pair[0])):
        term_words = " ".join(WORD.findall(term))
        if term_words and re.search(rf"\b{re.escape(term_words)}\b", words):
            words = re.sub(rf"\b{re.escape(term_words)}\b", " ".join(WORD.findall(canonical)), words)
    return words


def states_name(text: str, gold: str, synonyms: Mapping[str, str]) -> bool:
    """`text` names `gold` (whole words, after synonyms on both sides)."""
    name = canonical_name(gold, synonyms)
    return bool(name) and re.search(rf"\b{re.escape(name)}\b", canonical_name(text, synonyms)) is not None


def is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
