"""Free-text lab requests ("CBC, BMP and lipase") mapped to itemids through `mart_cdm_lab_test_mapping`.

Requested names and mapping terms are normalised alike (lower case, filler words such as "level" or "tests"
dropped). Each requested name is matched exactly against the terms (a panel wins over a synonym, a synonym
over a label), then without a plural "s", then fuzzily (difflib ratio >= 0.85); what stays unmatched is
reported.
"""

import difflib
import re
from collections import defaultdict

from pydantic import BaseModel

from generator.cdm.case import LabTestTerm

FUZZY_CUTOFF = 0.85
KIND_PRIORITY = {"panel": 0, "synonym": 1, "label": 2}
SEPARATORS = re.compile(r"[,;\n()+&]|\band\b|\bplus\b|\bwith\b", re.IGNORECASE)
FILLER = re.compile(
    r"\b(please|order|ordering|check|checking|get|obtain|send|draw|run|request|a|an|the|of|"
    r"levels?|tests?|values?|labs?|laboratory|studies|workup|stat)\b",
    re.IGNORECASE,
)


class MatchedName(BaseModel):
    """One requested name and the itemids it resolved to."""

    name: str
    term: str
    how: str
    itemids: list[int]
    categories: list[str] = []  # the seeded categories of these tests


class LabRequest(BaseModel):
    """How one free-text request resolved: matched names, unmatched names, and the categories requested."""

    request: str
    matched: list[MatchedName]
    unmatched: list[str]
    categories: list[str]

    @property
    def itemids(self) -> list[int]:
        return sorted({itemid for match in self.matched for itemid in match.itemids})


class LabMapper:
    """Resolves request names against the mapping terms of one cases file."""

    def __init__(self, mapping: list[LabTestTerm]):
        by_term: dict[str, list[LabTestTerm]] = defaultdict(list)
        for row in mapping:
            if term := normalize_name(row.term):
                by_term[term].append(row)
        self._terms = {term: _best_kind(rows) for term, rows in by_term.items()}
        self._categories = {row.itemid: row.category for row in mapping if row.category}

    def resolve(self, request: str) -> LabRequest:
        matched: list[MatchedName] = []
        unmatched: list[str] = []
        for name in split_request(request):
            match = self._match(name)
            if match:
                matched.append(match)
            else:
                unmatched.append(name)
        categories = {self._categories[i] for m in matched for i in m.itemids if i in self._categories}
        return LabRequest(request=request, matched=matched, unmatched=unmatched, categories=sorted(categories))

    def _match(self, name: str) -> MatchedName | None:
        candidates = [(name, "exact")]
        if name.endswith("s"):
            candidates.append((name[:-1], "singular"))
        for candidate, how in candidates:
            if candidate in self._terms:
                return self._named(name, candidate, how)
        if len(name) > 3:
            close = difflib.get_close_matches(name, list(self._terms), n=1, cutoff=FUZZY_CUTOFF)
            if close:
                return self._named(name, close[0], "fuzzy")
        return None

    def _named(self, name: str, term: str, how: str) -> MatchedName:
        itemids = sorted({row.itemid for row in self._terms[term]})
        categories = sorted({self._categories[i] for i in itemids if i in self._categories})
        return MatchedName(name=name, term=term, how=how, itemids=itemids, categories=categories)


def split_request(request: str) -> list[str]:
    """The distinct test names in a request, lower-cased, filler words removed, in order."""
    names: list[str] = []
    for part in SEPARATORS.split(request):
        name = normalize_name(part)
        if name and name not in names:
            names.append(name)
    return names


def normalize_name(name: str) -> str:
    """Lower case, filler words, dots and colons dropped, whitespace squashed: 'Lipase level.' -> 'lipase'."""
    return " ".join(FILLER.sub(" ", name.lower()).replace(".", " ").replace(":", " ").split())


def _best_kind(rows: list[LabTestTerm]) -> list[LabTestTerm]:
    best = min(KIND_PRIORITY[row.term_kind] for row in rows)
    return [row for row in rows if KIND_PRIORITY[row.term_kind] == best]
