"""scripts/slurm/generate-cohort.sbatch run as Slurm runs an array's tasks (its SLURM_* variables set), with a fake
`vllm` on PATH that serves the scripted delay server on the task's port: the shards together complete the
cohort, each task stops its server, and a server that dies while loading fails its task."""

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "slurm" / "generate-cohort.sbatch"
FAKE_VLLM = """#!/usr/bin/env bash
# `vllm serve MODEL --host H --port P ...` -> the delay server on P
while [ $# -gt 0 ]; do [ "$1" = --port ] && port=$2; shift; done
exec "{python}" "{repo}/bench/delay_server.py" --delay 0.05 --port "$port"
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fake_bin(tmp_path: Path, script: str) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    vllm = folder / "vllm"
    vllm.write_text(script)
    vllm.chmod(vllm.stat().st_mode | stat.S_IXUSR)
    return folder


def task(
    k: int, n: int, bin_dir: Path, db: Path, output_root: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, int]:
    port = free_port()
    settings = (
        os.environ
        | {
            "PATH": f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "SLURM_ARRAY_TASK_ID": str(k - 1),  # as --array=0-(N-1) numbers them
            "SLURM_ARRAY_TASK_MIN": "0",
            "SLURM_ARRAY_TASK_COUNT": str(n),
            "MODEL": "bench-model",
            "MIMICBENCH_DB": str(db),
            "OUTPUT_ROOT": str(output_root),
            "CONCURRENCY": "2",
            "PORT": str(port),
            "SERVER_WAIT_S": "60",
        }
        | (env or {})
    )
    process = subprocess.Popen(
        ["bash", str(SCRIPT), *args], env=settings, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return process, port


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_the_array_tasks_serve_run_and_stop_and_their_shards_together_complete_the_cohort(
    synthetic_warehouse, tmp_path
):
    bin_dir = fake_bin(tmp_path, FAKE_VLLM.format(python=sys.executable, repo=REPO_ROOT))
    output_root = tmp_path / "out"
    options = ("--limit", "6", "--max-admissions", "2")
    tasks = [task(k, 3, bin_dir, synthetic_warehouse, output_root, *options) for k in (1, 2)]
    local = {"LOCAL_DB_DIR": str(tmp_path / "node-local")}  # the third task reads its own copy of the warehouse
    tasks.append(task(3, 3, bin_dir, synthetic_warehouse, output_root, *options, env=local))
    outputs = [process.communicate(timeout=240) for process, _ in tasks]

    assert [process.returncode for process, _ in tasks] == [0, 0, 0], outputs
    assert all(f"(shard {k}/3)" in err for k, (_, err) in enumerate(outputs, 1))
    assert not any(listening(port) for _, port in tasks)  # each task stopped its server
    merged = CliRunner().invoke(cli, ["report", "merge", str(output_root)])
    assert merged.exit_code == 0, merged.output
    overall = json.loads((output_root / "run_report.merged.json").read_text())["overall"]
    assert overall["status"] == "finished"
    assert overall["admissions"]["completed"] == overall["admissions"]["planned"] > 0
    assert overall["patients"]["planned"] == 6
    assert (tmp_path / "node-local").is_dir() and list((tmp_path / "node-local").iterdir()) == []  # copy removed


def test_a_server_that_exits_while_loading_fails_its_task_with_the_reason(synthetic_warehouse, tmp_path):
    bin_dir = fake_bin(tmp_path, "#!/usr/bin/env bash\necho 'CUDA out of memory' >&2\nexit 1\n")
    process, _ = task(1, 2, bin_dir, synthetic_warehouse, tmp_path / "out")
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 1
    assert "CUDA out of memory" in stderr and "the vLLM server exited before it answered" in stderr
    assert not (tmp_path / "out").exists()
