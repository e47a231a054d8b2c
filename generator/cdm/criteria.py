"""The diagnostic-criteria tool's book: the criteria of a disease, looked up by a free-text name.

As in CDMv1, a request may name several diseases (split at commas and "and"); each name is matched to a
disease or one of its aliases by rapidfuzz's WRatio (>= 80, after lower-casing and turning punctuation into
spaces). The book holds the four target pathologies and common differentials, so asking for criteria does
not point at the answer; every text cites its guideline.
"""

import re

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from generator.cdm.case import DiagnosticCriteria

MATCH_CUTOFF = 80
SEPARATORS = re.compile(r",|\band\b|\n|;")


class CriteriaBook:
    def __init__(self, criteria: list[DiagnosticCriteria]):
        self._criteria = criteria
        self._names = [(name, entry) for entry in criteria for name in (entry.disease, *entry.aliases)]

    def answer(self, request: str) -> str:
        """The criteria of every disease the request names, then the names with none."""
        found: list[DiagnosticCriteria] = []
        missing: list[str] = []
        for name in (part.strip() for part in SEPARATORS.split(request)):
            if not name:
                continue
            entry = self.look_up(name)
            if entry is None:
                missing.append(name)
            elif entry not in found:
                found.append(entry)
        blocks = [f"{entry.disease}: {entry.criteria}\n(Source: {entry.source})" for entry in found]
        if missing:
            known = ", ".join(entry.disease for entry in self._criteria)
            blocks.append(f"No diagnostic criteria for: {', '.join(missing)}. Criteria exist for: {known}.")
        return "\n\n".join(blocks)

    def look_up(self, name: str) -> DiagnosticCriteria | None:
        if not self._names:
            return None
        choices = [default_process(alias) for alias, _ in self._names]
        _, score, index = process.extractOne(default_process(name), choices, scorer=fuzz.WRatio, processor=None)
        return self._names[index][1] if score >= MATCH_CUTOFF else None
