"""The marker `mimicbench synth` and `synth-notes` leave in each folder they write: the name, size and SHA-256 of
every csv.gz they wrote there, and whether that content comes from synthetic data. A folder counts as synthetic
only while its csv.gz files are exactly those, unchanged, so a copied or hand-made marker does not make real
data synthetic."""

import hashlib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from generator.origin import CREDENTIALED, SYNTHETIC, Origin

MARKER = "mimicbench-synthetic.json"
CHUNK = 1 << 20


class FileFingerprint(BaseModel):
    """One file the marker vouches for, by its path relative to the marker's folder."""

    model_config = ConfigDict(extra="forbid")

    path: str
    size: int
    sha256: str


class SyntheticMarker(BaseModel):
    """What `mimicbench-synthetic.json` says about the folder it sits in."""

    model_config = ConfigDict(extra="forbid")

    generator: str
    version: str
    seed: int
    patients: int | None = None
    # 'synthetic' for `synth`; for `synth-notes`, the verified origin of the hosp data the notes were written from
    # (notes about real admissions quote their diagnoses, labs and medications, so they are as credentialed).
    source_origin: str
    files: list[FileFingerprint]


def fingerprint(folder: Path) -> list[FileFingerprint]:
    """Every csv.gz in `folder` and in its direct subfolders (hosp/, icu/, note/), sorted by path."""
    return [
        FileFingerprint(path=path.relative_to(folder).as_posix(), size=path.stat().st_size, sha256=_sha256(path))
        for path in _data_files(folder)
    ]


def write_marker(folder: Path, marker: SyntheticMarker) -> None:
    (folder / MARKER).write_text(marker.model_dump_json(indent=2) + "\n")


def marker_origin(folder: Path) -> Origin:
    """'synthetic' when `folder` carries a marker of synthetic content whose files are all present and unchanged
    and no other csv.gz sits beside them; otherwise 'credentialed', with a warning when a marker was there."""
    path = folder / MARKER
    if not path.is_file():
        return Origin(CREDENTIALED)
    try:
        marker = SyntheticMarker.model_validate_json(path.read_bytes())
    except ValidationError:
        return Origin(CREDENTIALED, f"{path} is not a marker written by `mimicbench synth`; rerun synth.")
    if marker.source_origin != SYNTHETIC:
        return Origin(CREDENTIALED)
    problem = _mismatch(folder, marker)
    if problem:
        return Origin(
            CREDENTIALED,
            f"{folder} is not what `mimicbench synth` wrote there ({problem}), so it is "
            "treated as credentialed; rerun synth for a synthetic dataset.",
        )
    return Origin(SYNTHETIC)


def _mismatch(folder: Path, marker: SyntheticMarker) -> str | None:
    """The first difference between the marker's list and the files on disk, in words."""
    listed = {f.path: f for f in marker.files}
    present = {path.relative_to(folder).as_posix(): path for path in _data_files(folder)}
    extra = sorted(present.keys() - listed.keys())
    if extra:
        return f"{extra[0]} is not among the files it wrote"
    for name, expected in sorted(listed.items()):
        path = present.get(name)
        if path is None:
            return f"{name} is missing"
        if path.stat().st_size != expected.size or _sha256(path) != expected.sha256:
            return f"{name} has changed"
    return None


def _data_files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("*.csv.gz"), *folder.glob("*/*.csv.gz")])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
