"""Locate the raw MIMIC-IV folders (PhysioNet layouts as downloaded), check their files, and tell synthetic
data from real."""

import gzip
import zlib
from pathlib import Path

from pydantic import BaseModel

from generator.origin import CREDENTIALED, SYNTHETIC, Origin
from generator.raw_files import first_damaged
from generator.synth.marker import marker_origin

DEFAULT_MIMIC_DIR = Path("build/synthetic")
SEARCH_DEPTH = 3
MIMIC_III_FILES = {"ADMISSIONS.csv.gz", "NOTEEVENTS.csv.gz"}  # MIMIC-III keeps every table in one flat folder


class InputError(Exception):
    """An input folder or file is missing or unreadable; the message says what to do."""


class Inputs(BaseModel):
    """The folders the warehouse reads: `mimic_dir` holds hosp/ and icu/, `note_dir` the note files.

    `data_origin` is 'synthetic' only when both folders carry a verified synthetic marker (see
    `generator.synth.marker`); `origin_warning` says why a marker there was not trusted."""

    mimic_dir: Path
    note_dir: Path
    data_origin: str
    origin_warning: str | None = None


def input_origin(mimic_dir: Path, note_dir: Path) -> Origin:
    """'synthetic' when both folders hold exactly the files `mimicbench synth` wrote there; else 'credentialed'."""
    origins = [marker_origin(mimic_dir), marker_origin(note_dir)]
    warning = " ".join(o.warning for o in origins if o.warning) or None
    synthetic = all(o.data_origin == SYNTHETIC for o in origins)
    return Origin(SYNTHETIC if synthetic else CREDENTIALED, warning)


def _find_dir(root: Path, probe: str, what: str, option: str) -> Path:
    """`root` itself or the one folder below it (up to 3 levels) that contains `probe`."""
    if not root.is_dir():
        raise InputError(f"{option} {root} is not a folder: point it at {what}.")
    if (root / probe).exists():
        return root
    found = set()
    for depth in range(1, SEARCH_DEPTH + 1):
        for hit in root.glob("/".join(["*"] * depth + [probe])):
            found.add(root.joinpath(*hit.relative_to(root).parts[:depth]))
    found = sorted(found)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        choices = ", ".join(str(p) for p in found)
        raise InputError(f"{option} {root} holds several candidates ({choices}): pass one of them.")
    raise InputError(_layout_problem(root, probe, option) or f"{option} {root} has no {probe}: point it at {what}.")


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
    mimic_root, note_root = mimic_root.resolve(), note_root.resolve()
    origin = input_origin(mimic_root, note_root)
    return Inputs(
        mimic_dir=mimic_root, note_dir=note_root, data_origin=origin.data_origin, origin_warning=origin.warning
    )


def check_files(inputs: Inputs, files: dict[str, list[str]]) -> None:
    """Fail early, naming the file and the missing columns or the damage, before dbt spends minutes on the big
    tables: each file's header is read, and each file is decompressed once to check it is a whole gzip stream
    (a cut download would otherwise surface as a malformed row, late in the build). A verified synthetic dataset
    is skipped there: its files are byte for byte what `mimicbench synth` wrote.

    `files` maps a path relative to its folder (`hosp/labevents.csv.gz`, `note/radiology.csv.gz`) to the
    columns the warehouse reads from it.
    """
    paths = []
    for relative, columns in files.items():
        folder = inputs.note_dir if relative.startswith("note/") else inputs.mimic_dir
        path = folder / relative.removeprefix("note/")
        if not path.exists():
            raise InputError(
                _upper_case_problem(folder, [_case_variant(path)])
                or f"{path} is missing: download it from PhysioNet (or rerun `mimicbench synth`)."
            )
        header = _read_header(path)
        missing = [c for c in columns if c not in header]
        if missing:
            raise InputError(
                f"{path} lacks column(s) {', '.join(missing)} (found: {', '.join(header)}): use the "
                "PhysioNet release as downloaded (MIMIC-IV 2.2 or 3.1, MIMIC-IV-Note 2.2)."
            )
        paths.append(path)
    damaged = first_damaged(paths) if inputs.data_origin != SYNTHETIC else None
    if damaged:
        raise InputError(f"{damaged[0]} {damaged[1]}: download it again (PhysioNet lists each file's SHA-256).")


def _read_header(path: Path) -> list[str]:
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            line = handle.readline()
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise InputError(f"{path} is not a readable gzip CSV ({error}): download it again.") from error
    if not line.strip():
        raise InputError(f"{path} is empty: download it again.")
    return [name.strip().strip('"') for name in line.rstrip("\r\n").split(",")]


def _layout_problem(root: Path, probe: str, option: str) -> str | None:
    """What `root` holds instead of `probe`, when it is recognisably something else: MIMIC-III (one flat folder of
    upper-case files) or MIMIC-IV with upper-case file names."""
    wanted = Path(probe).name
    files = _files_below(root)
    found = [p for p in files if p.name.lower() == wanted]
    mimic_iii = [p for p in files if p.name in MIMIC_III_FILES and p.parent.name.lower() != "hosp"]
    if mimic_iii:
        return (
            f"{option} {root} holds MIMIC-III ({mimic_iii[0]}: one flat folder of upper-case files), which "
            "mimicbench does not read: download MIMIC-IV 2.2 or 3.1 (hosp/ and icu/ folders) and MIMIC-IV-Note 2.2 "
            "from PhysioNet and point --mimic-dir and --note-dir at them."
        )
    return _upper_case_problem(root, found)


def _upper_case_problem(root: Path, found: list[Path | None]) -> str | None:
    """The rename to suggest when MIMIC-IV files are there under upper- or mixed-case names."""
    renamed = [p for p in found if p is not None and p.name != p.name.lower()]
    if not renamed:
        return None
    folder = renamed[0].parent
    return (
        f"{root} has {renamed[0]} but MIMIC-IV names its files in lower case ({renamed[0].name.lower()}): rename the "
        f"files in {folder} (and the other MIMIC folders) to lower case, e.g. `cd {folder} && for f in *.csv.gz; "
        'do mv "$f" "$(echo "$f" | tr A-Z a-z)"; done`, or download them again.'
    )


def _case_variant(path: Path) -> Path | None:
    """A file in `path`'s folder whose name equals `path`'s but for case."""
    if not path.parent.is_dir():
        return None
    return next((p for p in sorted(path.parent.iterdir()) if p.name.lower() == path.name.lower()), None)


def _files_below(root: Path) -> list[Path]:
    """Files in `root` and up to SEARCH_DEPTH folders below it."""
    return sorted(
        p for depth in range(SEARCH_DEPTH + 1) for p in root.glob("/".join(["*"] * (depth + 1))) if p.is_file()
    )
