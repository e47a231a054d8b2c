"""What the model returns: a conversation and an end-of-admission summary (also the structured-output schema).

Strict pydantic models (no extra keys, no type coercion: `true` is not a turn id). Rules that need the packet
(evidence ids, time order, grounding) live in `validate.py`.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict

Speaker = Literal["PATIENT", "ATTENDING", "RESIDENT", "NURSE", "CONSULT"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Turn(_Strict):
    turn_id: int
    speaker: Speaker
    relative_time: str
    text: str
    evidence_eids: list[str]


class Problem(_Strict):
    problem: str
    status_at_discharge: str
    supporting_eids: list[str]


class KeyTestResult(_Strict):
    test: str
    result: str
    relative_time: str
    supporting_eids: list[str]


class TreatmentOrMed(_Strict):
    treatment_or_med: str
    details: str
    supporting_eids: list[str]


class Disposition(_Strict):
    discharge_location: str
    supporting_eids: list[str]


class EndOfAdmissionSummary(_Strict):
    relative_discharge_time: str
    one_paragraph_summary: str
    problem_list: list[Problem]
    key_tests_and_results: list[KeyTestResult]
    treatments_and_meds: list[TreatmentOrMed]
    disposition: Disposition

    def cited_eids(self) -> list[str]:
        """Every evidence id the summary cites, in order of appearance."""
        items = [*self.problem_list, *self.key_tests_and_results, *self.treatments_and_meds, self.disposition]
        return [eid for item in items for eid in item.supporting_eids]


class ConversationOutput(_Strict):
    conversation: list[Turn]
    end_of_admission_summary: EndOfAdmissionSummary
