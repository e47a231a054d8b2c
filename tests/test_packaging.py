"""A plain (non-editable) install: the wheel carries the dbt project and runs the main job outside the checkout.

The slow test of the suite (marked `slow`): a wheel build, a fresh venv and the main job on 12 synthetic patients,
one to three minutes, nearly all of it the `dbt build`. To stay offline and fast, the fresh venv gets the wheel
alone (`--no-deps`) and sees the dependencies of the running environment through a `.pth` line, so `dbt` itself
is that environment's console script, found on PATH.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow

# What a checkout holds besides the sources; none of it belongs in a build from a clean tree.
NOT_SOURCES = shutil.ignore_patterns(
    ".*", "build", "output", "target", "logs", "__pycache__", "*.egg-info", "*.duckdb*"
)


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(map(str, command))}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under `root` with its size and modification time."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def installed_venv(tmp_path_factory) -> Path:
    """A fresh venv holding the wheel built from a clean copy of the checkout."""
    work = tmp_path_factory.mktemp("packaging")
    source, dist, venv = work / "source", work / "dist", work / "venv"
    shutil.copytree(REPO_ROOT, source, symlinks=True, ignore=NOT_SOURCES)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--wheel-dir", dist, source, cwd=work)
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work)
    python = venv / "bin" / "python"
    run(*pip, "--python", python, "install", "--no-deps", "--no-index", *dist.glob("mimicbench-*.whl"), cwd=work)
    site_packages = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=work).strip())
    (site_packages / "running_environment.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv


def test_installed_wheel_runs_the_main_job_from_an_empty_folder(installed_venv, tmp_path):
    job = tmp_path / "job"
    job.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env |= {"PATH": f"{installed_venv / 'bin'}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"}
    env |= {"DO_NOT_TRACK": "1"}
    project = run(installed_venv / "bin" / "python", "-c", "import generator.build as b; print(b.PROJECT_DIR)", cwd=job)
    assert Path(project.strip()).is_relative_to(installed_venv.resolve()), "generator must come from the wheel"
    installed = tree(installed_venv)

    def mimicbench(*args: str) -> str:
        return run(installed_venv / "bin" / "mimicbench", *args, cwd=job, env=env)

    mimicbench("synth", "--out", "build/synthetic", "--patients", "12", "--seed", "0")
    mimicbench("build", "--quiet")
    mimicbench("cohort", "--limit", "5")
    mimicbench("generate-cohort", "--cohort", "output/top5_by_admission_count.csv", "--backend", "template")
    mimicbench("export", "--format", "jsonl", "--out", "output/dataset/conversations.jsonl")
    mimicbench("cdm", "export", "--out", "output/cdm/cases.json")

    assert (job / "build" / "warehouse.duckdb").is_file()
    assert (job / "build" / ".warehouse.duckdb.dbt" / "target" / "run_results.json").is_file()  # dbt's, beside the db
    assert (job / "output" / "dataset" / "conversations.jsonl").read_text().count("\n") > 0
    assert json.loads((job / "output" / "cdm" / "cases.json").read_text())["cases"]
    assert tree(installed_venv) == installed, "the job wrote into the installed package"
