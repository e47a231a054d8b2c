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
Match = tuple[int, int, str]  # start token, end token, kind


def keyword_positive(text: str, keyword: str) -> bool:
    """`keyword` (case-insensitive) occurs in `text` and its first occurrence is not negated."""
    return NegexText(text).positive(keyword)


class NegexText:
    """A text read once (tokens, triggers, cuts), to ask about several keywords."""

    def __init__(self, text: str):
        self._text = text.lower()
        self._tokens = tokenize(self._text)
        self._words = [word for word, _, _ in self._tokens]
        pseudo = _matches(self._words, PSEUDO_PATTERNS)
        self._triggers = [m for m in _matches(self._words, TRIGGER_PATTERNS) if not _in_pseudo(m, pseudo)]
        terminations = [start for start, _, kind in self._triggers if kind == "termination"]
        self._cuts = sorted({*self._sentence_starts(), *terminations, len(self._tokens)})

    def positive(self, keyword: str) -> bool:
        """`keyword` occurs and its first occurrence is not negated (see the module docstring)."""
        at = self._text.find(keyword.lower())
        if at < 0:
            return False
        inside = [i for i, (_, start, end) in enumerate(self._tokens) if start < at + len(keyword) and end > at]
        return not self._negated(inside[0], inside[-1] + 1)

    def _negated(self, first: int, stop: int) -> bool:
        """Whether the entity `tokens[first:stop]` is negated."""
        low = max((c for c in self._cuts if c <= first), default=0)
        high = min(c for c in self._cuts if c > first)
        if stop > high:
            return False  # an entity across a cut is not looked at
        for start, end, kind in self._triggers:
            if not low <= start < high:
                continue
            if kind == "preceding" and start < first:
                return True
            if kind == "following" and end > stop:
                return True
        return " ".join(self._words[first:stop]).startswith(CHUNK_PREFIX)

    def _sentence_starts(self) -> list[int]:
        """A sentence starts at the first token, after a full stop and at a new line."""
        tokens = self._tokens
        starts = [0]
        for i in range(1, len(tokens)):
            if tokens[i - 1][0] in SENTENCE_END or "\n" in self._text[tokens[i - 1][2] : tokens[i][1]]:
                starts.append(i)
        return starts


def tokenize(text: str) -> list[Token]:
    return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text.lower())]


def _patterns(**kinds: tuple[str, ...]) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Trigger phrases as token sequences, by their first token: {first word: [(tokens, kind), ...]}."""
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for kind, phrases in kinds.items():
        for phrase in phrases:
            words = tuple(word for word, _, _ in tokenize(phrase))
            by_first.setdefault(words[0], []).append((words, kind))
    return by_first


PSEUDO_PATTERNS = _patterns(pseudo=PSEUDO)
TRIGGER_PATTERNS = _patterns(preceding=PRECEDING, following=FOLLOWING, termination=TERMINATION)


def _matches(words: list[str], patterns: dict[str, list[tuple[tuple[str, ...], str]]]) -> list[Match]:
    """Every occurrence of a pattern as a token sequence."""
    found = []
    for i, word in enumerate(words):
        for pattern, kind in patterns.get(word, ()):
            if tuple(words[i : i + len(pattern)]) == pattern:
                found.append((i, i + len(pattern), kind))
    return found


def _in_pseudo(match: Match, pseudo: list[Match]) -> bool:
    return any(p_start <= match[0] <= p_end for p_start, p_end, _ in pseudo)
