"""Writing the report folder: every page into a temporary sibling folder, then swapped in whole.

index.html  run.html  cdm.html            the overview pages
admissions/<hadm_id>.html                 one page per admission
patients/<subject_id>.html                one page per patient
cdm/<hadm_id>.html                        one page per CDM case (with --cdm-results)
assets/style.css  assets/view.js          the only style and script, used by every page
DATA_USE.txt                              the data-use notice; marks the folder as a report
"""

import os
import shutil
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator.view import ViewError
from generator.view.html import NOTICE, page
from generator.view.load import (
    AdmissionEntry,
    AdmissionFolder,
    admission_entry,
    find_admissions,
    read_admission,
    read_patient_manifest,
    read_qa_questions,
    read_run_report,
)
from generator.view.pages import admission as admission_page
from generator.view.pages import cdm as cdm_page
from generator.view.pages import index as index_page
from generator.view.pages import patient as patient_page
from generator.view.pages import run as run_page

ASSETS = Path(__file__).parent / "assets"
MARKER = "DATA_USE.txt"


@dataclass(frozen=True)
class ReportSummary:
    admissions: int
    failed: int
    patients: int
    cdm_cases: int


def write_report(
    output_root: Path, out: Path, *, cdm_results: Path | None = None, qa_dir: Path | None = None
) -> ReportSummary:
    """Write the report of `output_root` (and of a CDM results file) to `out`, replacing an earlier report there;
    with a qa folder, each admission page shows the questions a turn states beside it."""
    folders = find_admissions(output_root)
    if not folders and cdm_results is None:
        raise ViewError(f"No admissions under {output_root}: run generate-cohort first or pass another --output-root.")
    _check_replaceable(out)
    temp = out.with_name(f".{out.name}.tmp-{uuid.uuid4().hex}")
    try:
        shutil.copytree(ASSETS, temp / "assets")
        links = {"index": "index.html", "run": "run.html"} | ({"CDM": "cdm.html"} if cdm_results else {})
        questions = read_qa_questions(qa_dir) if qa_dir else {}
        entries = _admission_pages(folders, output_root, temp, out, links, questions)
        entries.sort(key=lambda e: (e.subject_id, e.admittime or "", e.hadm_id))
        origin = _origin(entries)
        by_patient: dict[int, list[AdmissionEntry]] = {}
        for entry in entries:
            by_patient.setdefault(entry.subject_id, []).append(entry)
        for subject_id, listed in by_patient.items():
            body = patient_page.render(subject_id, listed, read_patient_manifest(output_root, subject_id))
            _write(
                temp / "patients" / f"{subject_id}.html",
                page(f"patient {subject_id}", body, depth=1, data_origin=_origin(listed), links=links),
            )
        body = index_page.render(entries, output_root=str(output_root), cdm=cdm_results is not None)
        _write(temp / "index.html", page("index", body, depth=0, data_origin=origin, links=links))
        body = run_page.render(read_run_report(output_root), entries)
        _write(temp / "run.html", page("run", body, depth=0, data_origin=origin, links=links))
        cases = cdm_page.write_pages(cdm_results, temp, links) if cdm_results else 0
        _write(temp / MARKER, f"Written by `mimicbench view` from {output_root}.\n\n{NOTICE}\n")
        _swap(temp, out)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return ReportSummary(
        admissions=len(entries),
        failed=sum(e.status == "failed" for e in entries),
        patients=len(by_patient),
        cdm_cases=cases,
    )


@dataclass(frozen=True)
class _AdmissionJob:
    """One admission page to write (what a worker process needs)."""

    folder: AdmissionFolder
    neighbours: tuple[int | None, int | None]
    files: str  # the admission folder relative to the page
    path: Path
    links: dict[str, str]
    questions: dict[int, list[dict]]  # qa questions by the turn that states them


def _admission_pages(
    folders: list[AdmissionFolder],
    output_root: Path,
    temp: Path,
    out: Path,
    links: dict[str, str],
    questions: dict[int, dict[int, list[dict]]],
) -> list[AdmissionEntry]:
    """Every admission page, written by one worker process per core; their entries in `folders` order."""
    order = _patient_order(folders, output_root)
    jobs = [
        _AdmissionJob(
            folder=folder,
            neighbours=order[folder.hadm_id],
            files=Path(os.path.relpath(folder.complete or folder.failed, out / "admissions")).as_posix(),
            path=temp / "admissions" / f"{folder.hadm_id}.html",
            links=links,
            questions=questions.get(folder.hadm_id, {}),
        )
        for folder in folders
    ]
    (temp / "admissions").mkdir(parents=True, exist_ok=True)
    workers = max(1, min(os.cpu_count() or 1, len(jobs)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_admission_page, jobs, chunksize=max(1, min(16, len(jobs) // (4 * workers)))))


def _admission_page(job: _AdmissionJob) -> AdmissionEntry:
    admission = read_admission(job.folder)
    entry = admission_entry(admission)
    body = admission_page.render(admission, entry, files=job.files, neighbours=job.neighbours, questions=job.questions)
    html = page(f"admission {job.folder.hadm_id}", body, depth=1, data_origin=entry.data_origin, links=job.links)
    job.path.write_text(html, encoding="utf-8")
    return entry


def _patient_order(folders: list[AdmissionFolder], output_root: Path) -> dict[int, tuple[int | None, int | None]]:
    """Each admission's neighbours in its patient's admission order (the patient manifest's, else hadm id order)."""
    present: dict[int, list[int]] = {}
    for folder in folders:
        present.setdefault(folder.subject_id, []).append(folder.hadm_id)
    neighbours: dict[int, tuple[int | None, int | None]] = {}
    for subject_id, hadm_ids in present.items():
        manifest = read_patient_manifest(output_root, subject_id) or {}
        listed = [a.get("hadm_id") for a in manifest.get("admissions", [])]
        ordered = [h for h in listed if h in hadm_ids] + [h for h in hadm_ids if h not in listed]
        for i, hadm_id in enumerate(ordered):
            neighbours[hadm_id] = (ordered[i - 1] if i else None, ordered[i + 1] if i + 1 < len(ordered) else None)
    return neighbours


def _origin(entries: list[AdmissionEntry]) -> str:
    """`synthetic` only when every admission is."""
    return "synthetic" if entries and all(e.data_origin == "synthetic" for e in entries) else "credentialed"


def _check_replaceable(out: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise ViewError(f"{out} exists and is not a report written by `mimicbench view`: pass another --out.")


def _swap(temp: Path, out: Path) -> None:
    """Replace `out` with `temp`; the old report lives on as `.<name>.old` only until the new one is in place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    backup = out.with_name(f".{out.name}.old")
    shutil.rmtree(backup, ignore_errors=True)
    if out.exists():
        out.rename(backup)
    temp.rename(out)
    shutil.rmtree(backup, ignore_errors=True)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
