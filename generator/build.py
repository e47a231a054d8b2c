"""Run `dbt build` into a fresh database file and swap it in only when every model and test passed."""

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import BaseModel

from generator.inputs import Inputs

PROJECT_DIR = Path(__file__).resolve().parents[1]


class BuildError(Exception):
    """The build failed; the message says what to fix. The previous warehouse is untouched."""


class NodeResult(BaseModel):
    """One dbt node (model, seed, test, unit test) as it finished."""

    name: str
    resource_type: str
    status: str
    seconds: float
    message: str | None = None


class BuildSummary(BaseModel):
    """What `build_warehouse` did: the database it swapped in and every node's result."""

    db_path: Path
    data_origin: str
    seconds: float
    nodes: list[NodeResult]

    def counts(self) -> dict[str, int]:
        tally: dict[str, int] = {}
        for node in self.nodes:
            tally[node.status] = tally.get(node.status, 0) + 1
        return tally


def source_columns() -> dict[str, list[str]]:
    """Each raw file the dbt sources declare (`hosp/labevents.csv.gz`, `note/radiology.csv.gz`) and its columns."""
    files: dict[str, list[str]] = {}
    for path in sorted((PROJECT_DIR / "models" / "staging").glob("*/_*sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            module = source["meta"]["module"]
            for table in source["tables"]:
                name = table.get("identifier", table["name"])
                files[f"{module}/{name}.csv.gz"] = [column["name"] for column in table["columns"]]
    return files


def dbt_executable() -> str:
    """The `dbt` console script of the running interpreter's environment."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def build_warehouse(
    inputs: Inputs,
    db_path: Path,
    extra_vars: dict | None = None,
    select: str | None = None,
    on_progress: Callable[[str], None] = lambda line: None,
) -> BuildSummary:
    """Build the warehouse from `inputs` into `db_path`, atomically; raise BuildError on any failure."""
    db_path = db_path.resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    building = db_path.with_name(db_path.name + ".building")
    workdir = db_path.with_name(f".{db_path.name}.dbt")
    for stale in (building, building.with_name(building.name + ".wal")):
        stale.unlink(missing_ok=True)
    (workdir / "tmp").mkdir(parents=True, exist_ok=True)

    dbt_vars = {"data_origin": inputs.data_origin, **(extra_vars or {})}
    command = [
        dbt_executable(),
        "build",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
        "--vars",
        json.dumps(dbt_vars),
        "--log-format",
        "json",
        "--no-version-check",
    ]
    if select:
        command += ["--select", select]
    env = os.environ | {
        "MIMIC_IV_DIR": str(inputs.mimic_dir),
        "MIMIC_IV_NOTE_DIR": str(inputs.note_dir),
        "MIMICBENCH_DB": str(building),
        "MIMICBENCH_TMP": str(workdir / "tmp"),
        "DO_NOT_TRACK": "1",
    }
    started = time.monotonic()
    nodes, fatal = _run_dbt(command, env, on_progress)
    failed = [n for n in nodes if n.status in {"error", "fail", "runtime error"}]
    if fatal or failed or not nodes:
        building.unlink(missing_ok=True)
        raise BuildError(_explain_failure(fatal, failed, inputs))
    os.replace(building, db_path)
    db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)
    return BuildSummary(
        db_path=db_path, data_origin=inputs.data_origin, seconds=time.monotonic() - started, nodes=nodes
    )


def _run_dbt(
    command: list[str], env: dict[str, str], on_progress: Callable[[str], None]
) -> tuple[list[NodeResult], str | None]:
    """Run dbt, stream its JSON log as progress lines, return finished nodes and any fatal error."""
    nodes: list[NodeResult] = []
    fatal = None
    with subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        for line in process.stdout:
            event = _parse_event(line)
            if event is None:
                continue
            name, data = event["info"]["name"], event["data"]
            if name in {"LogModelResult", "LogTestResult", "LogSeedResult", "LogNodeResult"}:
                node = _node_result(data)
                nodes.append(node)
                on_progress(
                    f"[{data.get('index')}/{data.get('total')}] {node.status.upper():5} {node.name}"
                    f" ({node.seconds:.1f}s)"
                )
            elif name in {"MainEncounteredError", "RunResultError"} and event["info"].get("level") == "error":
                fatal = _strip_ansi(event["info"].get("msg", ""))
        process.wait()
    if process.returncode != 0 and fatal is None and not any(n.status != "success" for n in nodes):
        fatal = f"dbt exited with code {process.returncode}"
    return nodes, fatal


def _parse_event(line: str) -> dict | None:
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) and "info" in event else None


def _node_result(data: dict) -> NodeResult:
    info = data.get("node_info", {})
    status = str(data.get("status") or info.get("node_status") or "").lower()
    status = {"ok": "success", "pass": "pass", "warn": "warn"}.get(status, status)
    return NodeResult(
        name=info.get("node_name", data.get("description", "?")),
        resource_type=info.get("resource_type", "?"),
        status=status,
        seconds=float(data.get("execution_time") or 0.0),
        message=_strip_ansi(data.get("msg") or "") or None,
    )


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _explain_failure(fatal: str | None, failed: list[NodeResult], inputs: Inputs) -> str:
    """One actionable paragraph: which file and column, what DuckDB said, what to do."""
    if fatal:
        return f"dbt could not run: {fatal.strip()}"
    if not failed:
        return "dbt ran no node; check that the project's models/ folder is intact."
    first = failed[0]
    hint = explain_duckdb_error(first.message or "", inputs)
    others = f" ({len(failed) - 1} more node(s) failed)" if len(failed) > 1 else ""
    return f"{first.resource_type} {first.name} failed{others}: {hint}"


def explain_duckdb_error(message: str, inputs: Inputs) -> str:
    """Turn DuckDB's CSV errors into a sentence naming the file, the column and the fix."""
    path = re.search(r"[\"']?(/[^\"'\s]+\.csv(?:\.gz)?)", message)
    file = path.group(1) if path else "an input file"
    column = re.search(r'[Cc]olumns? with names?: "?([^"\n]+?)"? do(?:es)? not exist', message)
    if column:
        return (
            f"{file}: column(s) {column.group(1)} are missing (renamed or wrong file?). Use the PhysioNet "
            f"release as downloaded (MIMIC-IV 2.2/3.1, MIMIC-IV-Note 2.2). DuckDB said: {message.strip()}"
        )
    if "No files found" in message or "No such file" in message:
        return f"{file} does not exist: check --mimic-dir ({inputs.mimic_dir}) and --note-dir ({inputs.note_dir})."
    if "gzip" in message.lower() or "compressed" in message.lower():
        return f"{file} is not a readable gzip file (truncated download?): download it again. {message.strip()}"
    line = re.search(r"CSV Error on Line: (\d+)", message)
    if line:
        return (
            f"{file} has a malformed row at line {line.group(1)}: fix or re-download the file. "
            f"DuckDB said: {message.strip()}"
        )
    return message.strip() or "no message; see the dbt log."
