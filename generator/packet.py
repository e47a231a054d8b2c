"""The admission packet: what `Warehouse.packet` reads from the marts, one per admission."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from generator.sections import PACKET_SECTIONS

SECTIONS = tuple(section.name for section in PACKET_SECTIONS)  # in packet order (generator/sections.py)


class Section(BaseModel):
    """One packet section: its kept rows (time-sorted) and how many the cap dropped."""

    model_config = ConfigDict(frozen=True)

    rows_seen: int
    rows_kept: int
    truncated: bool
    cap: int | None
    rows: list[dict[str, Any]]


class Packet(BaseModel):
    """Everything the warehouse holds about one admission, capped and evidence-tagged."""

    model_config = ConfigDict(frozen=True)

    subject_id: int
    hadm_id: int
    admittime: datetime
    dischtime: datetime | None
    data_origin: str
    has_discharge_note: bool
    patient: dict[str, Any]
    admission: dict[str, Any]
    sections: dict[str, Section]

    @property
    def is_synthetic(self) -> bool:
        return self.data_origin == "synthetic"

    def evidence_ids(self) -> set[str]:
        """Every evidence id in the packet, the patient and admission ids included."""
        ids = {self.patient["eid"], self.admission["eid"]}
        for section in self.sections.values():
            ids.update(row["eid"] for row in section.rows)
        return ids
