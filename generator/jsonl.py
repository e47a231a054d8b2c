"""Results files of one JSON object a line (`cdm run`, `qa run`): appended whole and synced, read back strictly."""

import os
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def append_line(path: Path, line: str) -> None:
    """Append one whole line and sync it, so a crash loses at most the line being written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def read_lines(path: Path, model: type[M], command: str, error: type[Exception]) -> list[M]:
    """Every line of a results file that `mimicbench <command> --out` wrote, as `model`; raises `error` naming
    the file and line of one that is not such a result, or when there is no file."""
    if not path.is_file():
        raise error(f"No results file at {path}: run `mimicbench {command}` first.")
    results = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            results.append(model.model_validate_json(line))
        except ValidationError as invalid:
            raise error(
                f"{path} line {number} is not a `mimicbench {command}` result ({invalid.errors()[0]['msg']}): "
                f"pass the JSONL file that `{command} --out` wrote."
            ) from None
    return results
