"""An admission's evidence: which rows its packet holds, which turns and summary items cite each, and how an
evidence id becomes a link on the admission page."""

from typing import Any

from generator.view.html import esc, row_id
from generator.view.load import Admission

SUMMARY = "summary"


def summary_items(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of an end-of-admission summary that cites rows (`supporting_eids`)."""
    items = [*summary.get("problem_list", []), *summary.get("key_tests_and_results", [])]
    items += summary.get("treatments_and_meds", [])
    return items + ([summary["disposition"]] if summary.get("disposition") else [])


class Citations:
    def __init__(self, admission: Admission):
        packet = admission.packet
        self.rows: set[str] = set()
        for record in (packet.get("patient"), packet.get("admission")):
            if record and record.get("eid"):
                self.rows.add(record["eid"])
        for section in packet.get("sections", {}).values():
            self.rows.update(row["eid"] for row in section.get("rows", []))
        self.cited_by: dict[str, list[str]] = {}  # eid -> turn ids (as text) and "summary", in order
        for turn in admission.conversation or []:
            for eid in turn.get("evidence_eids", []):
                self.cited_by.setdefault(eid, []).append(str(turn.get("turn_id")))
        for item in summary_items((admission.summary or {}).get("end_of_admission_summary") or {}):
            for eid in item.get("supporting_eids", []):
                self.cited_by.setdefault(eid, []).append(SUMMARY)
        self.previous_hadm = (admission.prompt.get("previous_admission") or {}).get("hadm_id")

    def link(self, eid: str) -> str:
        """A link to the row; an id from the previous admission's summary links to that admission's page."""
        if eid in self.rows:
            return f'<a class="eid" href="#{row_id(eid)}">{esc(eid)}</a>'
        if self.previous_hadm:
            title = f"cited from the summary of admission {self.previous_hadm}"
            href = f"{self.previous_hadm}.html#{row_id(eid)}"
            return f'<a class="eid previous" title="{esc(title)}" href="{href}">{esc(eid)}</a>'
        return f'<span class="eid unknown" title="not in this packet">{esc(eid)}</span>'

    def data_rows(self, eids: list[str]) -> str:
        """The element ids of the cited rows this packet holds, for the `data-rows` attribute."""
        return " ".join(row_id(eid) for eid in eids if eid in self.rows)

    def cited(self) -> int:
        return sum(1 for eid in self.rows if eid in self.cited_by)
