"""Run `dbt build` into a fresh database file and swap it in only when every model and test passed."""

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import yaml
from pydantic import BaseModel

from generator.inputs import Inputs
from generator.raw_files import DamagedGzip, gzip_problem, line_of_row

# The dbt project: in a checkout, links to the repository root's files; in an installed wheel, copies of them.
PROJECT_DIR = Path(__file__).resolve().parent / "dbt_project"
ORIGIN_ENV = "MIMICBENCH_DATA_ORIGIN"  # read by the models that record the data origin
MEMORY_BUDGET_ENV = "MIMICBENCH_MEMORY_LIMIT"  # the whole build's memory, dbt's Python included
DEFAULT_MEMORY_BUDGET = "12GB"
# DuckDB's memory_limit bounds its buffers; what it allocates outside them and dbt's Python come on top (up to
# 1.6 GiB at MIMIC-IV's size, docs/benchmarks.md), so DuckDB gets this share of the budget.
DUCKDB_MEMORY_SHARE = 0.7
SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?", re.IGNORECASE)


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


def duckdb_memory_limit(budget: str) -> str:
    """DuckDB's `memory_limit` for a build whose whole memory is `budget` (DuckDB's notation: 12GB, 16GiB)."""
    match = SIZE.fullmatch(budget.strip())
    if match is None or float(match[1]) == 0:
        raise BuildError(
            f"{MEMORY_BUDGET_ENV}={budget!r} is not a memory size: set the build's whole memory like 12GB or 16GiB."
        )
    unit = (match[2] or "B").upper()
    base = 1024 if "I" in unit else 1000
    power = "BKMGT".index(unit[0])
    return f"{round(float(match[1]) * base**power * DUCKDB_MEMORY_SHARE) // 1_000_000}MB"


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
    """Build the warehouse from `inputs` into `db_path`, atomically; raise BuildError on any failure.

    One build per database file at a time (a second one is refused at once). With `select`, only the selected
    nodes are rebuilt, inside a copy of the complete warehouse already at `db_path`, so the file swapped in is
    always a whole warehouse."""
    dbt_vars = checked_vars(extra_vars)
    memory_limit = duckdb_memory_limit(os.environ.get(MEMORY_BUDGET_ENV, DEFAULT_MEMORY_BUDGET))
    db_path = db_path.resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_build(db_path) as lock:
        return _build_locked(inputs, db_path, dbt_vars, memory_limit, select, on_progress, lock)


def _build_locked(
    inputs: Inputs,
    db_path: Path,
    dbt_vars: dict,
    memory_limit: str,
    select: str | None,
    on_progress: Callable[[str], None],
    lock: int,
) -> BuildSummary:
    """The build itself, while the lock (`lock`, a descriptor dbt inherits) is held; DuckDB within `memory_limit`."""
    building = db_path.with_name(db_path.name + ".building")
    workdir = db_path.with_name(f".{db_path.name}.dbt")
    for stale in (building, building.with_name(building.name + ".wal")):
        stale.unlink(missing_ok=True)
    (workdir / "tmp").mkdir(parents=True, exist_ok=True)

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
        _copy_complete_warehouse(db_path, building, inputs)
        command += ["--select", select]
    env = os.environ | {
        "MIMICBENCH_DUCKDB_MEMORY_LIMIT": memory_limit,
        "MIMIC_IV_DIR": str(inputs.mimic_dir),
        "MIMIC_IV_NOTE_DIR": str(inputs.note_dir),
        "MIMICBENCH_DB": str(building),
        "MIMICBENCH_TMP": str(workdir / "tmp"),
        "MIMICBENCH_DBT_KEEP_OPEN": "true",
        ORIGIN_ENV: inputs.data_origin,
        "DO_NOT_TRACK": "1",
    }
    started = time.monotonic()
    (workdir / "target" / "run_results.json").unlink(missing_ok=True)
    fatal = _run_dbt(command, env, on_progress, lock)
    nodes = _read_results(workdir / "target")
    failed = [n for n in nodes if n.status in {"error", "fail", "runtime error"}]
    if failed:
        fatal = None
    if fatal or failed or not nodes:
        building.unlink(missing_ok=True)
        raise BuildError(_explain_failure(fatal, failed, inputs))
    os.replace(building, db_path)
    db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)
    return BuildSummary(
        db_path=db_path, data_origin=inputs.data_origin, seconds=time.monotonic() - started, nodes=nodes
    )


@contextmanager
def _exclusive_build(db_path: Path) -> Iterator[int]:
    """Hold an exclusive lock on `<db>.lock` for the whole build and yield its descriptor (dbt inherits it).

    A second build of the same file is refused at once instead of deleting the first one's files. The OS drops
    the lock when every process holding it has ended, however it ended (kill -9 included)."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise BuildError(
                f"Another `mimicbench build` is writing {db_path} (it holds {lock_path}): wait for it to finish, "
                "or pass another --db."
            ) from error
        yield handle.fileno()


def checked_vars(extra_vars: dict | None) -> dict:
    """The dbt vars to pass; `data_origin` is not one of them (the build passes the verified origin itself)."""
    extra_vars = extra_vars or {}
    if "data_origin" in extra_vars:
        raise BuildError(
            "data_origin cannot be set with --vars: the build decides it from the input folders (synthetic only "
            "when both carry an intact marker written by `mimicbench synth`); remove it from --vars."
        )
    return extra_vars


def _copy_complete_warehouse(db_path: Path, building: Path, inputs: Inputs) -> None:
    """Start a selective build from a copy of the complete warehouse at `db_path` built from data of the same
    origin; refuse otherwise, since the selection alone is not a warehouse and mixed origins are not one either."""
    fix = "build the whole warehouse first (without --select)."
    if not db_path.is_file():
        raise BuildError(f"--select rebuilds part of the warehouse {db_path}, and there is none yet: {fix}")
    models = {path.stem for path in (PROJECT_DIR / "models").rglob("*.sql")}
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            present = {name for (name,) in con.execute("select table_name from information_schema.tables").fetchall()}
            missing = sorted(models - present)
            recorded = None if missing else con.execute("select data_origin from marts.mart_build_info").fetchone()[0]
    except duckdb.Error as error:
        raise BuildError(f"{db_path} cannot be read ({str(error).splitlines()[0]}): {fix}") from error
    if missing:
        raise BuildError(
            f"{db_path} is not a complete warehouse ({len(missing)} models missing, e.g. {missing[0]}): {fix}"
        )
    if recorded != inputs.data_origin:
        raise BuildError(
            f"{db_path} was built from {recorded} data and the inputs are {inputs.data_origin}: a selection must not "
            f"mix them; {fix}"
        )
    shutil.copyfile(db_path, building)


def _run_dbt(command: list[str], env: dict[str, str], on_progress: Callable[[str], None], lock: int) -> str | None:
    """Run dbt (holding the build lock too), streaming its JSON log as progress lines; return the message of a
    fatal error, if any."""
    fatal = None
    with subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        pass_fds=(lock,),
    ) as process:
        for line in process.stdout:
            event = _parse_event(line)
            if event is None:
                continue
            name, data = event["info"]["name"], event["data"]
            if name in {"LogModelResult", "LogTestResult", "LogSeedResult", "LogNodeResult"}:
                node = data.get("node_info", {})
                status = str(data.get("status") or node.get("node_status") or "?").upper()
                seconds = float(data.get("execution_time") or 0.0)
                on_progress(
                    f"[{data.get('index')}/{data.get('total')}] {status:7} {node.get('node_name')} ({seconds:.1f}s)"
                )
            elif name == "MainEncounteredError":
                fatal = _strip_ansi(event["info"].get("msg", ""))
    if process.returncode != 0 and fatal is None:
        fatal = f"dbt exited with code {process.returncode}"
    return fatal


def _read_results(target: Path) -> list[NodeResult]:
    """Every node of the run, from dbt's run_results.json."""
    path = target / "run_results.json"
    if not path.exists():
        return []
    results = json.loads(path.read_text())["results"]
    return [
        NodeResult(
            name=_node_name(result["unique_id"]),
            resource_type=result["unique_id"].split(".")[0],
            status=result["status"],
            seconds=float(result.get("execution_time") or 0.0),
            message=result.get("message"),
        )
        for result in results
    ]


def _node_name(unique_id: str) -> str:
    """`model.mimicbench.stg_x` -> `stg_x`; unit tests keep their own name."""
    parts = unique_id.split(".")
    return parts[-1] if parts[0] == "unit_test" else parts[2]


def _parse_event(line: str) -> dict | None:
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) and "info" in event else None


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _explain_failure(fatal: str | None, failed: list[NodeResult], inputs: Inputs) -> str:
    """One actionable paragraph: which node, which file and column, what to do."""
    if fatal:
        return f"dbt could not run: {fatal.strip()}"
    if not failed:
        return "dbt ran no node; check that the project's models/ folder is intact."
    first = failed[0]
    others = f" ({len(failed) - 1} more node(s) failed)" if len(failed) > 1 else ""
    return f"{first.resource_type} {first.name} failed{others}: {explain_duckdb_error(first.message or '', inputs)}"


def explain_duckdb_error(message: str, inputs: Inputs) -> str:
    """Turn DuckDB's CSV errors into a sentence naming the file, line and column, and the fix."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("Runtime Error in")] or ["no message; see the dbt log"]
    first_line = lines[0]
    path = re.search(r"file = (\S+)", message) or re.search(r"[\"'](/[^\"']+\.csv(?:\.gz)?)[\"']", message)
    file = path.group(1) if path else "an input file"
    line = re.search(r"CSV Error on Line: (\d+)", message)
    column = re.search(r'converting column "([^"]+)"', message)
    if line:
        damage, true_line = _reread(Path(file), message)
        if damage:
            return f"{file} {damage}: download it again."
        where = f"line {true_line}" if true_line else f"about line {line.group(1)} (DuckDB's estimate)"
        where += f", column {column.group(1)}" if column else ""
        detail = next((text for text in lines if text.startswith("Could not convert")), first_line)
        return f"{file} has a malformed row ({where}): {detail}. Fix that row."
    missing = re.search(r'[Cc]olumns? with names?: "?([^"\n]+?)"? do(?:es)? not exist', message)
    if missing:
        return (
            f"{file} lacks column(s) {missing.group(1)}: use the PhysioNet release as downloaded "
            "(MIMIC-IV 2.2 or 3.1, MIMIC-IV-Note 2.2)."
        )
    if "No files found" in message or "No such file" in message:
        return f"{file} does not exist: check --mimic-dir ({inputs.mimic_dir}) and --note-dir ({inputs.note_dir})."
    if any(word in message.lower() for word in ("gzip", "compress", "inflate", "zlib")):
        return f"{file} is not a complete gzip file ({first_line}): download it again."
    return first_line


def _reread(path: Path, message: str) -> tuple[str | None, int | None]:
    """Read the csv.gz a CSV error names again: how it is damaged, if it is not a whole gzip stream, else the
    true line of the row DuckDB quotes (its parallel reader only estimates line numbers)."""
    if not (path.is_file() and path.name.endswith(".gz")):
        return None, None
    quoted = re.search(
        r"Original Line: (.*?)\n\s*(?:Error when converting|Expected Number of Columns|Possible fixes)", message, re.S
    )
    if not quoted:
        return gzip_problem(path), None
    try:
        return None, line_of_row(path, quoted.group(1))
    except DamagedGzip as damage:
        return str(damage), None
