"""CDMv1's reading of a final diagnosis: cut the answer down to the first-listed diagnosis, then match it.

Parsing (each step that changes the text marks the answer as needing "Diagnosis Parsing"):
the text after "Diagnosis:" up to a following "Treatment...:" line; a leading "Based on ...:" paragraph
dropped; everything from a section label such as "Rationale:" or "Plan:" on dropped; the first item of a
numbered ("1.") or starred ("*") list, without its explanation; a paragraph after a blank line dropped; the
phrase after "diagnosis ... is"; the text after "patient has"; finally the first of several diagnoses split
at commas, full stops, new lines, "and", "or" and "vs".

Matching: a word within fuzz ratio > 90 of the pathology's name, or an alternative name (a location and a
modifier), not negated, is a correct diagnosis; a "gracious" alternative is correct only leniently.
"""

import re
import string

from rapidfuzz import fuzz

from generator.cdm.negex import keyword_positive
from generator.cdm.rubrics.cdmv1_rules import AlternativeName

DIAGNOSIS_FIELD = re.compile(r"(Final )?Diagnosis:([\s\S]*?)(?=[.\n].*Treatment.*:|$)", re.IGNORECASE)
BASED_ON_INTRO = re.compile(r"^Based on.*:\n\n")
SECTION_LABELS = (
    "rationale",
    "note",
    "recommendation",
    "explanation",
    "finding",
    "other.*diagnos.*include",
    "other.*diagnos.*considered(?: were)?",
    "management",
    "action",
    "plan",
    "reasoning",
    "assessment",
    "justification",
    "tests",
    "additional diagnoses",
    "notification",
    "impression",
    "background",
    "additional findings include",
)
NUMBERED_ITEM = re.compile(r"^1\.(.*)", re.MULTILINE)
NUMBERED_EXPLANATION = re.compile(r"[-:].*")
STARRED_ITEM = re.compile(r"^\*(.*)", re.MULTILINE)
STARRED_EXPLANATION = re.compile(r"[-:] .*")
AFTER_BLANK_LINE = re.compile(r"\n\n.*")
DIAGNOSIS_IS = re.compile(r".*?diagnosis[^.\n]*?\bis\b(.*?)[.\n]", re.DOTALL)
PATIENT_HAS = re.compile(r".*?patient has", re.DOTALL)
SEVERAL_DIAGNOSES = re.compile(r"[,.\n]|(?:\s*\b(?:and|or|vs[.]?)\b\s*)")
NAME_RATIO_ABOVE = 90


def parse_diagnosis(answer: str) -> tuple[str, bool]:
    """The first-listed diagnosis in a final answer given as `answer` (the text after "Final Diagnosis:"),
    and whether CDMv1 had to reshape the answer to get it."""
    match = DIAGNOSIS_FIELD.search(f"Final Diagnosis: {answer}")
    if not match:
        return "", False
    text = match.group(2).strip()
    reshaped = False

    def step(new: str) -> str:
        nonlocal reshaped
        reshaped = reshaped or new != text
        return new

    text = step(BASED_ON_INTRO.sub("", text))
    without_sections = text
    for label in SECTION_LABELS:
        without_sections = re.sub(rf"{label}[s]?:.*", "", without_sections, flags=re.IGNORECASE | re.DOTALL)
    text = step(without_sections)
    for item, explanation in ((NUMBERED_ITEM, NUMBERED_EXPLANATION), (STARRED_ITEM, STARRED_EXPLANATION)):
        found = item.search(text)
        if found and found.group(1).strip() != text:
            reshaped = True
            text = explanation.sub("", found.group(1).strip())
    text = step(AFTER_BLANK_LINE.sub("", text))
    found = DIAGNOSIS_IS.search(text)
    if found:
        text = step(found.group(1).strip())
    text = step(PATIENT_HAS.sub("", text, count=1))
    diagnoses = [part for part in SEVERAL_DIAGNOSES.split(text) if part]
    reshaped = reshaped or len(diagnoses) > 1
    return (diagnoses[0] if diagnoses else "").strip(), reshaped


def diagnosis_scores(
    diagnosis: str, name: str, alternatives: tuple[AlternativeName, ...], gracious: tuple[AlternativeName, ...]
) -> tuple[bool, bool]:
    """(correct, graciously correct) for a parsed diagnosis."""
    words = diagnosis.lower().translate(str.maketrans("", "", string.punctuation))
    by_name = any(
        round(fuzz.ratio(word, name)) > NAME_RATIO_ABOVE and keyword_positive(diagnosis, word) for word in words.split()
    )
    correct = by_name or _names_alternative(diagnosis, words, alternatives)
    return correct, correct or _names_alternative(diagnosis, words, gracious)


def _names_alternative(diagnosis: str, words: str, alternatives: tuple[AlternativeName, ...]) -> bool:
    return any(
        alternative.location in words
        and modifier in words
        and keyword_positive(diagnosis, alternative.location)
        and keyword_positive(diagnosis, modifier)
        for alternative in alternatives
        for modifier in alternative.modifiers
    )
