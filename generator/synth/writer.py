"""Deterministic gzip CSV output, PhysioNet style, written into a staging folder that is renamed into place."""

import csv
import gzip
import io
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from generator.synth import SynthError
from generator.synth.tables import MODULES

COMPRESSLEVEL = 1


class TableFile:
    """One `table.csv.gz`: header first, then rows; fields quoted only when needed, NULL as empty."""

    def __init__(self, path: Path, columns: Sequence[str]):
        self._raw = path.open("wb")
        self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, compresslevel=COMPRESSLEVEL, mtime=0)
        self._text = io.TextIOWrapper(self._gzip, encoding="utf-8", newline="")
        self._csv = csv.writer(self._text, lineterminator="\n")
        self._csv.writerow(columns)
        self.rows = 0

    def write(self, rows: Sequence[Sequence]) -> None:
        self._csv.writerows(rows)
        self.rows += len(rows)

    def write_text(self, text: str, rows: int) -> None:
        """Append `rows` rows already rendered by `csv_text`."""
        self._text.write(text)
        self.rows += rows

    def close(self) -> None:
        self._text.close()
        self._raw.close()


class TableSet:
    """The open table files of one dataset, addressed by table name."""

    def __init__(self, folders: dict[str, Path]):
        """`folders` maps each table name to the folder its file goes in."""
        self.files: dict[str, TableFile] = {}
        columns = {table: spec.split(",") for tables in MODULES.values() for table, spec in tables.items()}
        for table, folder in folders.items():
            folder.mkdir(parents=True, exist_ok=True)
            self.files[table] = TableFile(folder / f"{table}.csv.gz", columns[table])

    def write(self, batches: dict[str, list]) -> None:
        """Append each table's rows of one batch (one patient, usually)."""
        for table, rows in batches.items():
            if rows:
                self.files[table].write(rows)

    def write_rendered(self, batches: dict[str, tuple[str, int]]) -> None:
        """Append each table's rows of one batch rendered by `csv_text`, as (text, rows)."""
        for table, (text, rows) in batches.items():
            if rows:
                self.files[table].write_text(text, rows)

    def row_counts(self) -> dict[str, int]:
        return {table: f.rows for table, f in self.files.items()}

    def close(self) -> None:
        for f in self.files.values():
            f.close()


def csv_text(rows: Sequence[Sequence]) -> str:
    """`rows` as `TableFile.write` writes them, character for character."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def check_output(out: Path, force: bool) -> None:
    """Refuse to write over a non-empty folder unless forced."""
    if out.exists() and not out.is_dir():
        raise SynthError(f"{out} exists and is not a folder; choose another --out.")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise SynthError(f"{out} is not empty; pass --force to replace it or choose another --out.")


@contextmanager
def staged_output(out: Path, force: bool) -> Iterator[Path]:
    """Yield a sibling staging folder; on success it replaces `out`, on failure it is removed."""
    check_output(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if out.exists():
        retired = out.parent / f".{out.name}.old-{os.getpid()}"
        out.rename(retired)
        staging.rename(out)
        shutil.rmtree(retired)
    else:
        staging.rename(out)
