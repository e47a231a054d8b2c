"""A qa folder: what `qa build` writes and `qa run` / `qa score` read.

    items.jsonl         one BenchItem per line (an item in one bucket)
    contexts.jsonl      one Context per line (block ids in order, tokens)
    blocks.jsonl        one Block per line (rendered admissions and delimiters)
    synonyms.json       the drug and organism names the scorer treats as one
    build_report.json   what was kept, converted, dropped and not fitted; the data origin; the build's time

The folder is written beside its target and renamed into place, so a reader sees the old folder or the new one.
"""

import json
import shutil
import tempfile
from pathlib import Path

from pydantic import BaseModel, ValidationError

from generator.atomic import write_json_atomic, write_text_atomic
from generator.qa import QaError
from generator.qa.build import QaBuild
from generator.qa.contexts import Block, Context
from generator.qa.items import BenchItem

ITEMS, CONTEXTS, BLOCKS, SYNONYMS, REPORT = (
    "items.jsonl",
    "contexts.jsonl",
    "blocks.jsonl",
    "synonyms.json",
    "build_report.json",
)


class QaFolder(BaseModel):
    items: list[BenchItem]
    contexts: dict[str, Context]
    blocks: dict[str, Block]
    synonyms: dict[str, str]
    report: dict

    @property
    def data_origin(self) -> str:
        return self.report["data_origin"]


def write_folder(out: Path, build: QaBuild, synonyms: dict[str, str], data_origin: str) -> None:
    """Write every file into a sibling temporary folder, then swap it in for `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    staging.chmod(0o755)
    try:
        write_text_atomic(staging / ITEMS, _lines(build.items))
        write_text_atomic(staging / CONTEXTS, _lines(build.contexts))
        write_text_atomic(staging / BLOCKS, _lines(build.blocks))
        write_json_atomic(staging / SYNONYMS, synonyms)
        write_json_atomic(staging / REPORT, {"data_origin": data_origin, **build.report})
        if out.exists():
            retired = out.with_name(f".{out.name}.old")
            shutil.rmtree(retired, ignore_errors=True)
            out.rename(retired)
            staging.rename(out)
            shutil.rmtree(retired)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def read_folder(folder: Path) -> QaFolder:
    if not (folder / REPORT).is_file():
        raise QaError(f"No qa folder at {folder} (no {REPORT}): run `mimicbench qa build --out {folder}` first.")
    try:
        return QaFolder(
            items=[BenchItem.model_validate_json(line) for line in _read_lines(folder / ITEMS)],
            contexts={c.context_id: c for c in map(Context.model_validate_json, _read_lines(folder / CONTEXTS))},
            blocks={b.block_id: b for b in map(Block.model_validate_json, _read_lines(folder / BLOCKS))},
            synonyms=json.loads((folder / SYNONYMS).read_text(encoding="utf-8")),
            report=json.loads((folder / REPORT).read_text(encoding="utf-8")),
        )
    except (OSError, ValueError, ValidationError) as error:
        raise QaError(
            f"{folder} is not a complete qa folder ({error}): build it again with `mimicbench qa build`."
        ) from None


def _lines(models: list) -> str:
    return "".join(model.model_dump_json() + "\n" for model in models)


def _read_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
