"""Free-text lab requests ("CBC, BMP and lipase") resolved to lab tests as CDMv1 resolves them, through the
lab test mapping (`mart_cdm_lab_test_mapping`, CDMv1's `lab_test_mapping`).

The request is cut into names as CDMv1's parser cuts it: the words order, run, level(s), repeat and check
dropped; "and" and new lines made commas; English stop words dropped (lower-case single letters too, capital
ones kept: "Hepatitis A"); split at commas outside parentheses. Each name then goes through CDMv1's matching
(rapidfuzz ratio after lower-casing and turning punctuation into spaces, against the mapping's labels in
order, the first of equally good labels winning): the whole name (ratio >= 90), the name without its
parenthesis (>= 90), the abbreviation inside it (exactly), and, for a name that names a fluid ("urine
protein"), the rest against that fluid's labels (>= 90). A name that names a fluid keeps only that fluid's
tests (and microbiology tests). The name stands for the matched row's tests.

Only when CDMv1's matching finds nothing are our own synonyms tried (exactly, or without a plural s), and
CDMv1's matching again on the name without filler words ("tests", "please", ...). Those matches are marked
(`how`), so the cdmv1 rubric treats the name as unmatched, as CDMv1 would.
"""

import re

from pydantic import BaseModel
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from generator.cdm.case import LabMappingRow

# How a name matched: CDMv1's steps, then ours.
CDMV1_MATCHES = ("full", "long", "short", "fluid")
OUR_MATCHES = ("synonym", "cleaned")
RATIO_CUTOFF = 90
SHORT_NAME_CUTOFF = 100

DROPPED_WORDS = re.compile(r"\b(order|run|levels?|repeat|check)\b", re.IGNORECASE)
SPLIT = re.compile(r",\s*(?![^()]*\))")
PARENTHESIS = re.compile(r"\((.*)\)")
# NLTK's English stop words (as CDMv1 uses them), without the single letters, which only go in lower case.
STOP_WORDS_TEXT = (
    "me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves he him "
    "his himself she she's her hers herself it it's its itself they them their theirs themselves what which "
    "who whom this that that'll these those am is are was were be been being have has had having do does did "
    "doing an the and but if or because as until while of at by for with about against between into through "
    "during before after above below to from up down in out on off over under again further then once here "
    "there when where why how all any both each few more most other some such no nor not only own same so "
    "than too very can will just don don't should should've now ll re ve ain aren aren't couldn couldn't didn "
    "didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't mustn mustn't "
    "needn needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won won't wouldn wouldn't"
)
STOP_WORDS = frozenset(STOP_WORDS_TEXT.split())
SINGLE_LETTER_STOP_WORDS = frozenset({"i", "a", "s", "t", "d", "m", "o", "y"})
CAPITAL_A = re.compile(r"\bA\s")
FLUIDS = {
    "Blood": ("Blood", "Plasma", "Serum"),
    "Urine": ("Urine",),
    "Stool": ("Stool",),
    "Ascites": ("Ascites",),
    "Cerebrospinal Fluid": ("Cerebrospinal Fluid",),
    "Joint Fluid": ("Joint Fluid",),
    "Bone Marrow": ("Bone Marrow",),
    "Pleural": ("Pleural",),
    "Other Body Fluid": ("Other Body Fluid",),
}
FILLER = re.compile(
    r"\b(please|ordering|checking|get|obtain|send|draw|request|labs?|laboratory|tests?|values?|studies|workup|"
    r"panel|stat)\b",
    re.IGNORECASE,
)


class MatchedName(BaseModel):
    """One requested name and the tests it stands for."""

    name: str
    term: str  # the mapping label it matched
    how: str  # CDMv1's step (full, long, short, fluid) or ours (synonym, cleaned)
    itemids: list[int]
    categories: list[str] = []  # the mimicbench rubric categories of these tests


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
    """Resolves request names against the lab test mapping of one cases file."""

    def __init__(self, mapping: list[LabMappingRow]):
        cdmv1_rows = [row for row in mapping if row.kind != "synonym"]
        self._labels = [row.label for row in cdmv1_rows]
        self._processed = [default_process(label) for label in self._labels]
        self._fluid_rows = {fluid: [i for i, row in enumerate(cdmv1_rows) if row.fluid == fluid] for fluid in FLUIDS}
        self._rows = cdmv1_rows
        self._synonyms: dict[str, LabMappingRow] = {}
        for row in mapping:
            if row.kind == "synonym":
                self._synonyms.setdefault(row.label.lower(), row)
        self._fluid_of: dict[int, str | None] = {}
        self._category_of: dict[int, str] = {}
        for row in cdmv1_rows:
            if row.itemid is not None and row.itemid not in self._fluid_of:
                self._fluid_of[row.itemid] = row.fluid
                if row.rubric_category:
                    self._category_of[row.itemid] = row.rubric_category

    def resolve(self, request: str) -> LabRequest:
        matched: list[MatchedName] = []
        unmatched: list[str] = []
        for name in split_request(request):
            match = self._cdmv1_match(name) or self._our_match(name)
            if match:
                matched.append(match)
            elif name not in unmatched:
                unmatched.append(name)
        categories = sorted({c for m in matched for c in m.categories})
        return LabRequest(request=request, matched=matched, unmatched=unmatched, categories=categories)

    def _cdmv1_match(self, name: str, how_prefix: str = "") -> MatchedName | None:
        fluid, without_fluid = _named_fluid(name)
        short, long = _short_and_long(name)
        everything = range(len(self._labels))
        steps = [("full", name, RATIO_CUTOFF, everything), ("long", long, RATIO_CUTOFF, everything)]
        steps.append(("short", short, SHORT_NAME_CUTOFF, everything))
        if fluid:
            steps.append(("fluid", without_fluid, RATIO_CUTOFF, self._fluid_rows[fluid]))
        for how, query, cutoff, rows in steps:
            row = self._best_row(query, list(rows))
            if row is not None and row[1] >= cutoff:
                return self._named(name, self._rows[row[0]], how_prefix or how, fluid)
        return None

    def _our_match(self, name: str) -> MatchedName | None:
        cleaned = " ".join(FILLER.sub(" ", name).split())
        for candidate in (cleaned.lower(), cleaned.lower().removesuffix("s")):
            if candidate in self._synonyms:
                return self._named(name, self._synonyms[candidate], "synonym", None)
        if cleaned and cleaned != name:
            return self._cdmv1_match(cleaned, how_prefix="cleaned")
        return None

    def _best_row(self, query: str, rows: list[int]) -> tuple[int, int] | None:
        """The first mapping row of `rows` whose label is closest to `query`, and the rounded ratio."""
        if not rows:
            return None
        choices = [self._processed[i] for i in rows]
        best = process.extractOne(default_process(query), choices, scorer=fuzz.ratio, processor=None)
        return rows[best[2]], round(best[1])

    def _named(self, name: str, row: LabMappingRow, how: str, fluid: str | None) -> MatchedName:
        itemids = list(dict.fromkeys(row.corresponding_ids))
        if fluid:
            itemids = [i for i in itemids if self._fluid_of.get(i) in (fluid, None)]
        categories = sorted({self._category_of[i] for i in itemids if i in self._category_of})
        return MatchedName(name=name, term=row.label, how=how, itemids=itemids, categories=categories)


def split_request(request: str) -> list[str]:
    """The test names of a request as CDMv1 cuts them (see the module docstring), in order."""
    text = DROPPED_WORDS.sub("", request)
    text = re.sub(r"\band\b", ",", text).replace("\n", ",")
    return [name.strip() for name in SPLIT.split(_without_stop_words(text)) if name and not name.isspace()]


def _without_stop_words(text: str) -> str:
    words = text.split(" ")
    kept = [
        word
        for word in words
        if (bare := re.sub(r"[^\w\s]", "", word)).lower() not in STOP_WORDS and bare not in SINGLE_LETTER_STOP_WORDS
    ]
    return CAPITAL_A.sub("", " ".join(kept))


def _named_fluid(name: str) -> tuple[str | None, str]:
    """The fluid a name names ("Urine protein" -> Urine) and the name without it."""
    for fluid, words in FLUIDS.items():
        for word in words:
            if word.lower() in name.lower():
                return fluid, re.sub(word, "", name, flags=re.IGNORECASE).strip()
    return None, name


def _short_and_long(name: str) -> tuple[str, str]:
    """'Complete Blood Count (CBC)' -> ('CBC', 'Complete Blood Count'); a name without parentheses twice."""
    found = PARENTHESIS.search(name)
    if not found:
        return name, name
    long = name.replace(found.group(0), "").strip().replace("  ", " ").replace(" ,", ",")
    return found.group(1).strip(), long
