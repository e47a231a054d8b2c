"""NegEx negation as CDMv1 applies it: `keyword_positive(text, keyword)`.

CDMv1 (Hager et al. 2024) asks negspacy 1.0 (NegEx, trigger set `en_clinical`, chunk prefix "no") whether
the first scispaCy entity that contains the keyword is negated. The rule, reproduced here:

- the text is cut into sentences, and each sentence again at every termination term ("but", "which",
  "secondary to", ...); negation never crosses a cut;
- inside its piece, a keyword is negated by a preceding trigger anywhere before it ("no", "not", "denies",
  "rule out", ...) or a following trigger anywhere after it ("unlikely", "was not", "were ruled out", "free");
- a trigger that starts inside (or right after) a pseudo-negation ("no further", "not only", "gram
  negative", ...) does not count;
- an entity whose text starts with "no" is negated.

scispaCy's entity model (`en_core_sci_lg`) is not reproduced: the entity is taken to be the words the keyword
occurs in. A keyword that does not occur at all is not positive. Tokens follow spaCy's English rules where
they matter for the triggers ("don't" is "do" + "n't", "cannot" is "can" + "not").
"""

import re
from functools import cache

PSEUDO = (
    "no further",
    "not able to be",
    "not certain if",
    "not certain whether",
    "not necessarily",
    "without any further",
    "without difficulty",
    "without further",
    "might not",
    "not only",
    "no increase",
    "no significant change",
    "no change",
    "no definite change",
    "not extend",
    "not cause",
    "gram negative",
    "not rule out",
    "not ruled out",
    "not been ruled out",
    "not drain",
    "no suspicious change",
    "no interval change",
    "no significant interval change",
)
PRECEDING = (
    "absence of",
    "declined",
    "denied",
    "denies",
    "denying",
    "no sign of",
    "no signs of",
    "not",
    "not demonstrate",
    "symptoms atypical",
    "doubt",
    "negative for",
    "no",
    "versus",
    "without",
    "doesn't",
    "doesnt",
    "don't",
    "dont",
    "didn't",
    "didnt",
    "wasn't",
    "wasnt",
    "weren't",
    "werent",
    "isn't",
    "isnt",
    "aren't",
    "arent",
    "cannot",
    "can't",
    "cant",
    "couldn't",
    "couldnt",
    "never",
    "patient was not",
    "without indication of",
    "without sign of",
    "without signs of",
    "without any reactions or signs of",
    "no complaints of",
    "no evidence of",
    "no cause of",
    "evaluate for",
    "fails to reveal",
    "free of",
    "never developed",
    "never had",
    "did not exhibit",
    "rules out",
    "rule out",
    "rule him out",
    "rule her out",
    "rule patient out",
    "rule the patient out",
    "ruled out",
    "ruled him out",
    "ruled her out",
    "ruled patient out",
    "ruled the patient out",
    "r/o",
    "ro",
)
FOLLOWING = (
    "declined",
    "unlikely",
    "was not",
    "were not",
    "wasn't",
    "wasnt",
    "weren't",
    "werent",
    "was ruled out",
    "were ruled out",
    "free",
)
TERMINATION = (
    "although",
    "apart from",
    "as there are",
    "aside from",
    "but",
    "except",
    "however",
    "involving",
    "nevertheless",
    "still",
    "though",
    "which",
    "yet",
    "cause for",
    "cause of",
    "causes for",
    "causes of",
    "etiology for",
    "etiology of",
    "origin for",
    "origin of",
    "origins for",
    "origins of",
    "other possibilities of",
    "reason for",
    "reason of",
    "reasons for",
    "reasons of",
    "secondary to",
    "source for",
    "source of",
    "sources for",
    "sources of",
    "trigger event for",
)
CHUNK_PREFIX = "no"

# Words, numbers with decimals, "vs." as one token, "n't" split off ("does" + "n't"), "cannot" as "can" + "not".
TOKEN = re.compile(r"\d+(?:\.\d+)+|vs\.|can(?=not\b)|\w+?(?=n't\b)|n't|\w+|[^\w\s]")
SENTENCE_END = {".", "!", "?"}

Token = tuple[str, int, int]


def keyword_positive(text: str, keyword: str) -> bool:
    """`keyword` (case-insensitive) occurs in `text` and its first occurrence is not negated."""
    lowered = text.lower()
    at = lowered.find(keyword.lower())
    if at < 0:
        return False
    tokens = tokenize(lowered)
    inside = [i for i, (_, start, end) in enumerate(tokens) if start < at + len(keyword) and end > at]
    return not _negated(lowered, tokens, inside[0], inside[-1] + 1)


def tokenize(text: str) -> list[Token]:
    return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text.lower())]


def _negated(text: str, tokens: list[Token], first: int, stop: int) -> bool:
    """Whether the entity `tokens[first:stop]` is negated (see the module docstring)."""
    words = [word for word, _, _ in tokens]
    pseudo = _matches(words, PSEUDO)
    live = [m for m in _matches(words, PRECEDING + FOLLOWING + TERMINATION) if not _in_pseudo(m, pseudo)]
    termination_starts = [start for start, _, kind in live if kind in _kinds(TERMINATION)]
    cuts = sorted({*_sentence_starts(text, tokens), *termination_starts, len(tokens)})
    low = max((c for c in cuts if c <= first), default=0)
    high = min(c for c in cuts if c > first)
    if stop > high:
        return False  # an entity across a cut is not looked at
    for start, end, kind in live:
        if not low <= start < high:
            continue
        if kind in _kinds(PRECEDING) and start < first:
            return True
        if kind in _kinds(FOLLOWING) and end > stop:
            return True
    return " ".join(words[first:stop]).startswith(CHUNK_PREFIX)


def _matches(words: list[str], phrases: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """(start, end, phrase) for every occurrence of a phrase as a token sequence."""
    found = []
    for phrase in phrases:
        pattern = _phrase_tokens(phrase)
        size = len(pattern)
        found.extend(
            (i, i + size, phrase) for i in range(len(words) - size + 1) if tuple(words[i : i + size]) == pattern
        )
    return found


def _in_pseudo(match: tuple[int, int, str], pseudo: list[tuple[int, int, str]]) -> bool:
    return any(p_start <= match[0] <= p_end for p_start, p_end, _ in pseudo)


def _sentence_starts(text: str, tokens: list[Token]) -> list[int]:
    """A sentence starts at the first token, after a full stop and at a new line."""
    starts = [0]
    for i in range(1, len(tokens)):
        if tokens[i - 1][0] in SENTENCE_END or "\n" in text[tokens[i - 1][2] : tokens[i][1]]:
            starts.append(i)
    return starts


@cache
def _phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(word for word, _, _ in tokenize(phrase))


@cache
def _kinds(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(phrases)
