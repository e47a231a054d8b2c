"""Locate the raw MIMIC-IV folders (PhysioNet layouts as downloaded) and tell synthetic data from real."""

import gzip
import zlib
from pathlib import Path

from pydantic import BaseModel

SYNTHETIC_MARKER = "mimicbench-synthetic.json"
DEFAULT_MIMIC_DIR = Path("build/synthetic")


class InputError(Exception):
    """An input folder or file is missing or unreadable; the message says what to do."""


class Inputs(BaseModel):
    """The folders the warehouse reads: `mimic_dir` holds hosp/ and icu/, `note_dir` the note files."""

    mimic_dir: Path
    note_dir: Path

    @property
    def data_origin(self) -> str:
        """'synthetic' only when both folders carry the marker written by `mimicbench synth`."""
        marked = (self.mimic_dir / SYNTHETIC_MARKER).exists() and (self.note_dir / SYNTHETIC_MARKER).exists()
        return "synthetic" if marked else "credentialed"


def _find_dir(root: Path, probe: str, what: str, option: str) -> Path:
    """`root` itself or the one folder below it (up to 3 levels) that contains `probe`."""
    if not root.is_dir():
        raise InputError(f"{option} {root} is not a folder: point it at {what}.")
    if (root / probe).exists():
        return root
    found = set()
    for depth in range(1, 4):
        for hit in root.glob("/".join(["*"] * depth + [probe])):
            found.add(root.joinpath(*hit.relative_to(root).parts[:depth]))
    found = sorted(found)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        choices = ", ".join(str(p) for p in found)
        raise InputError(f"{option} {root} holds several candidates ({choices}): pass one of them.")
    raise InputError(f"{option} {root} has no {probe}: point it at {what}.")


def resolve_inputs(mimic_dir: Path | None, note_dir: Path | None) -> Inputs:
    """Resolve the hosp/icu root and the note folder, accepting PhysioNet's own folder layouts."""
    mimic_root = _find_dir(
        mimic_dir or DEFAULT_MIMIC_DIR,
        "hosp/admissions.csv.gz",
        "the MIMIC-IV folder holding hosp/ and icu/ (or run `mimicbench synth` first)",
        "--mimic-dir",
    )
    note_root = _find_dir(
        note_dir or mimic_root / "note",
        "discharge.csv.gz",
        "the MIMIC-IV-Note folder holding discharge.csv.gz and radiology.csv.gz",
        "--note-dir",
    )
    return Inputs(mimic_dir=mimic_root.resolve(), note_dir=note_root.resolve())


def check_files(inputs: Inputs, files: dict[str, list[str]]) -> None:
    """Fail early, naming the file and the missing columns, before dbt spends minutes on the big tables.

    `files` maps a path relative to its folder (`hosp/labevents.csv.gz`, `note/radiology.csv.gz`) to the
    columns the warehouse reads from it.
    """
    for relative, columns in files.items():
        folder = inputs.note_dir if relative.startswith("note/") else inputs.mimic_dir
        path = folder / relative.removeprefix("note/")
        if not path.exists():
            raise InputError(f"{path} is missing: download it from PhysioNet (or rerun `mimicbench synth`).")
        header = _read_header(path)
        missing = [c for c in columns if c not in header]
        if missing:
            raise InputError(
                f"{path} lacks column(s) {', '.join(missing)} (found: {', '.join(header)}): use the "
                "PhysioNet release as downloaded (MIMIC-IV 2.2 or 3.1, MIMIC-IV-Note 2.2)."
            )


def _read_header(path: Path) -> list[str]:
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            line = handle.readline()
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise InputError(f"{path} is not a readable gzip CSV ({error}): download it again.") from error
    if not line.strip():
        raise InputError(f"{path} is empty: download it again.")
    return [name.strip().strip('"') for name in line.rstrip("\r\n").split(",")]
