"""The small project-authored reference tables under `data/`: lab items, ICD codes, medications, exams."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True)
class LabItem:
    """A lab test as `d_labitems` names it, with the distribution its synthetic values follow."""

    itemid: int
    label: str
    fluid: str
    category: str
    unit: str
    lower: str
    upper: str
    mean: float | None
    sd: float | None
    decimals: int
    panel: str


@cache
def lab_items() -> dict[int, LabItem]:
    """Lab items by itemid."""
    items = {}
    for r in _rows("labs"):
        numeric = r["mean"] != ""
        items[int(r["itemid"])] = LabItem(
            itemid=int(r["itemid"]),
            label=r["label"],
            fluid=r["fluid"],
            category=r["category"],
            unit=r["unit"],
            lower=r["lower"],
            upper=r["upper"],
            mean=float(r["mean"]) if numeric else None,
            sd=float(r["sd"]) if numeric else None,
            decimals=int(r["decimals"]) if numeric else 0,
            panel=r["panel"],
        )
    return items


@cache
def panels() -> dict[str, tuple[LabItem, ...]]:
    """Lab items grouped by the panel they are ordered in (CBC, BMP, LFT, ...)."""
    grouped: dict[str, list[LabItem]] = {}
    for item in lab_items().values():
        grouped.setdefault(item.panel, []).append(item)
    return {name: tuple(items) for name, items in grouped.items()}


@cache
def icd_titles(kind: str) -> dict[tuple[str, int], str]:
    """Long titles by (icd_code, icd_version); kind is `diagnoses` or `procedures`."""
    return {(r["icd_code"], int(r["icd_version"])): r["long_title"] for r in _rows(kind)}


@cache
def medications() -> dict[str, dict[str, str]]:
    """Medication order templates by key (pharmacy, prescriptions and emar fields)."""
    return {r["key"]: r for r in _rows("medications")}


@cache
def exams() -> dict[str, dict[str, str]]:
    """Radiology exam types by key: exam_code, exam_name, cpt_code, modality, region."""
    return {r["key"]: r for r in _rows("exams")}
