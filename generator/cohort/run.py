"""`generate-cohort`: many patients' admissions on worker threads, each patient's admissions in order.

The calling thread starts the workers and collects one `AdmissionResult` per admission. Model requests go
through the endpoint pool (`generator.endpoints_pool`), which keeps at most K requests in flight per endpoint
(lowered while it answers 429) and sends each to the least-loaded endpoint that is up. There are twice as many
workers as request slots of all endpoints, so one admission's own work overlaps
another's request instead of leaving a slot idle. Patients start longest chain first. Within a patient, only what
needs the admission before stays on the patient's chain (the answer's validation, the next prompt, its request):
the next admission's warehouse reads run on a reader thread meanwhile, and each admission's folder is written on
the patient's writer thread while the next one is asked for.

On the first Ctrl-C no new request is sent, the requests in flight finish and their admissions are written; on
the second it gives up at once: an answer that arrives later is not written, so the report counts what is on disk.
Each admission folder is renamed into place only when complete, so nothing half-written is ever visible, and the
next run resumes. A worker holds a patient's lock while it works on the patient: another run on the same output
root skips that patient (status `locked`), so runs over overlapping cohorts never write the same folders.
"""

import functools
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generator import artifacts
from generator.admissions import load_previous, previous_admission
from generator.answer import AdmissionInputs, AdmissionOutcome, Answer, Backend, GenerationConfig, answer_admission
from generator.atomic import write_json_atomic
from generator.cohort.plan import CohortOptions, PatientPlan, SkippedPatient
from generator.cohort.reader import Reader
from generator.cohort.report import (
    AdmissionResult,
    Progress,
    RunReport,
    build_report,
    failed_result,
    measured_result,
    report_name,
    tally,
)
from generator.conversation import EndOfAdmissionSummary
from generator.endpoints_pool import EndpointPool
from generator.governance import EndpointNotAllowed
from generator.locks import Busy
from generator.rate_limit import RequestRefused
from generator.records import run_record, write_answer
from generator.warehouse import AdmissionRef, Warehouse

WORKERS_PER_SLOT = 2  # while one waits for its answer, another gets its next request ready
CTRL_C = object()  # put on the results queue by the SIGINT handler


@contextmanager
def _ctrl_c_onto(results: "queue.SimpleQueue[Any]") -> Iterator[None]:
    """Ctrl-C puts `CTRL_C` on the results queue instead of raising KeyboardInterrupt wherever the calling thread
    happens to be, which could drop a result taken off the queue and not yet counted. Only on the main thread,
    and not where SIGINT is ignored."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: results.put(CTRL_C))  # put is reentrant
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class CohortRun:
    """One run over planned patients; `run` returns the report (also written to `report_path`, by default
    `<output_root>/run_report.json`)."""

    def __init__(
        self,
        warehouse: Warehouse,
        backend: Backend,
        config: GenerationConfig,
        output_root: Path,
        options: CohortOptions,
        *,
        pool: EndpointPool | None = None,
        report_path: Path | None = None,
        on_progress: Callable[[AdmissionResult, Progress], None] = lambda result, progress: None,
        on_notice: Callable[[str], None] = lambda message: None,
    ):
        self.warehouse = warehouse
        self.backend = backend
        self.config = config
        self.output_root = output_root
        self.options = options
        self.pool = pool
        self.report_path = report_path or output_root / report_name(None)
        self.on_progress = on_progress
        self.on_notice = on_notice
        self._build_info = warehouse.build_info()
        self._run_record = run_record(config, backend, self._build_info)
        self._stop = threading.Event()
        self._fatal: str | None = None
        self._results: queue.SimpleQueue[AdmissionResult | BaseException | object | None] = queue.SimpleQueue()
        self._reader: Reader | None = None
        self._writing = threading.Condition()  # guards the two below
        self._writes_in_progress = 0
        self._aborted = False

    def run(self, plans: list[PatientPlan], skipped: list[SkippedPatient]) -> RunReport:
        started_at, started = datetime.now(UTC), time.monotonic()
        todo: queue.SimpleQueue[PatientPlan] = queue.SimpleQueue()
        for plan in sorted(plans, key=lambda plan: -len(plan.targets)):  # longest chain first: none starts last
            todo.put(plan)
        slots = self.options.concurrency * (len(self.pool.endpoints) * WORKERS_PER_SLOT if self.pool else 1)
        workers = min(slots, len(plans))
        self._reader = Reader(self._read_inputs, os.cpu_count() or 1)
        for number in range(workers):
            threading.Thread(target=self._work, args=(todo,), name=f"cohort-{number}", daemon=True).start()
        progress = Progress(total=sum(len(plan.targets) for plan in plans))
        results: list[AdmissionResult] = []
        status, crash = "finished", None
        with _ctrl_c_onto(self._results):
            while workers:
                item = self._results.get()
                if item is None:
                    workers -= 1
                elif item is CTRL_C and status == "interrupted":
                    status = "aborted"
                    results += self._abort()
                    break
                elif item is CTRL_C:
                    status = "interrupted"
                    self._stop_sending()
                    self.on_notice("Interrupted: finishing the requests in flight (press Ctrl-C again to abort).")
                elif isinstance(item, BaseException):
                    crash = crash or item
                    self._halt(f"unexpected error: {item!r}")
                else:
                    results.append(item)
                    tally(progress, item, time.monotonic() - started)
                    self.on_progress(item, progress)
        self._reader.close()  # waits for the reads in progress: none may outlive the warehouse handle
        if self._fatal and status == "finished":
            status = "stopped"
        report = build_report(
            results,
            plans,
            skipped,
            status=status,
            message=self._message(status),
            started_at=started_at,
            wall_s=time.monotonic() - started,
            settings=self._settings(),
            pool=self.pool,
            options=self.options,
        )
        write_json_atomic(self.report_path, report.model_dump(mode="json"))
        if crash:
            raise crash
        return report

    def _message(self, status: str) -> str:
        return {
            "finished": "all planned admissions were attempted",
            "interrupted": "interrupted by Ctrl-C after the requests in flight finished; rerun to resume",
            "aborted": "aborted by a second Ctrl-C; the admissions in flight were dropped; rerun to resume",
            "stopped": f"stopped: {self._fatal}",
        }[status]

    def _settings(self) -> dict[str, Any]:
        return {
            **self.options.model_dump(),
            "backend": self.backend.name,
            "model": self.backend.model,
            "endpoint": self.backend.endpoint,
            "output_root": str(self.output_root),
        }

    def _work(self, todo: "queue.SimpleQueue[PatientPlan]") -> None:
        try:
            while not self._stop.is_set():
                try:
                    plan = todo.get_nowait()
                except queue.Empty:
                    return
                self._run_patient(plan)
        except BaseException as error:  # handed to the calling thread, which stops the run and raises it
            self._results.put(error)
        finally:
            self._results.put(None)

    def _run_patient(self, plan: PatientPlan) -> None:
        """The patient's admissions under its lock; each reported `locked` if another live run holds it."""
        try:
            with artifacts.patient_lock(self.output_root, plan.subject_id):
                self._run_locked_patient(plan)
        except Busy as busy:
            self.on_notice(f"Skipped patient {plan.subject_id}: {busy}.")
            for ref in plan.targets:
                outcome = AdmissionOutcome(
                    subject_id=plan.subject_id, hadm_id=ref.hadm_id, status="locked", error=str(busy)
                )
                self._results.put(AdmissionResult(outcome=outcome, wall_s=0.0))

    def _run_locked_patient(self, plan: PatientPlan) -> None:
        """The patient's admissions in order, then its patient files, rewritten from disk (a rerun repairs them).

        An admission's folder is written on the patient's writer thread while the next admission is asked for,
        whose prompt takes the summary just validated (what the folder will hold) instead of reading it back.
        The one writer keeps the patient's order: no admission is complete on disk before an earlier one of
        this run, and the patient files come last. An admission is reported once its folder is written.
        """
        listed = [
            {"hadm_id": r.hadm_id, "admittime": r.admittime.isoformat(), "has_discharge_note": r.has_discharge_note}
            for r in plan.eligible
        ]
        targets, ran = plan.targets, False
        answered: tuple[AdmissionRef, EndOfAdmissionSummary] | None = None  # the one before, if it completed now
        written: Future[None] | None = None
        reading = self._read_ahead(targets, 0)
        with ThreadPoolExecutor(1, thread_name_prefix="cohort-write") as writes:
            for index, (ref, entry) in enumerate(zip(targets, listed[: len(targets)], strict=True)):
                if self._stop.is_set() or reading is None:
                    break
                started = time.perf_counter()
                try:
                    try:
                        inputs = reading.result()
                    finally:  # the next admission's reads run while this one is asked for
                        following = index + 1 < len(targets) and not self._stop.is_set()
                        reading = self._read_ahead(targets, index + 1) if following else None
                    if answered:
                        previous = previous_admission(*answered, ref.admittime)
                    else:
                        if written:
                            written.result()  # the patient's earlier admissions are on disk
                        earlier = plan.eligible[: plan.eligible.index(ref)]
                        previous = load_previous(self.output_root, plan.subject_id, earlier, ref.admittime)
                    answer = answer_admission(
                        inputs,
                        previous=previous,
                        backend=self.backend,
                        config=self.config,
                        output_root=self.output_root,
                        force=self.options.force,
                    )
                except RequestRefused:  # the run stopped before the request was sent: not started
                    break
                except Exception as error:  # recorded as this admission's failure; a refusal also stops the run
                    if isinstance(error, EndpointNotAllowed):
                        self._halt(str(error))
                    answered, ran = None, True
                    self._report(entry, failed_result(plan.subject_id, ref.hadm_id, error, started))
                    continue
                ran = True
                if answer is None:
                    answered = None
                    skipped = AdmissionOutcome(subject_id=plan.subject_id, hadm_id=ref.hadm_id, status="skipped")
                    self._report(entry, AdmissionResult(outcome=skipped, wall_s=time.perf_counter() - started))
                    continue
                if answer.outcome.stops_run:
                    self._halt(f"{answer.outcome.error} (admission {ref.hadm_id})")
                completed = answer.output if answer.outcome.status == "completed" else None
                answered = (ref, completed.end_of_admission_summary) if completed else None
                written = writes.submit(self._write, answer, entry, started)
            if ran:
                patient_files = (self.output_root, plan.subject_id, listed, self._run_record)
                writes.submit(artifacts.write_patient_files, *patient_files).result()

    def _read_ahead(self, targets: list[AdmissionRef], index: int) -> "Future[AdmissionInputs]":
        """Start reading `targets[index]`'s packet and unlinked notes on a reader thread."""
        assert self._reader is not None
        return self._reader.submit(targets[index].hadm_id, admissions_left=len(targets) - index)

    def _read_inputs(self, hadm_id: int) -> AdmissionInputs:
        packet = self.warehouse.packet(hadm_id, self.config.caps)
        return AdmissionInputs(
            packet, self.warehouse.unlinked_notes(hadm_id), functools.partial(self.warehouse.recapped, packet)
        )

    def _write(self, answer: Answer, entry: dict[str, Any], started: float) -> None:
        """On the patient's writer thread: write the admission's folder, then report it; after an abort, neither."""
        with self._writing:
            if self._aborted:
                return
            self._writes_in_progress += 1
        try:
            write_answer(answer, output_root=self.output_root, caps=self.config.caps, build_info=self._build_info)
        except Exception as error:  # recorded as this admission's failure, as any other error
            self._report(entry, failed_result(answer.outcome.subject_id, answer.outcome.hadm_id, error, started))
        else:
            self._report(entry, measured_result(answer, time.perf_counter() - started))
        finally:
            with self._writing:
                self._writes_in_progress -= 1
                self._writing.notify_all()

    def _abort(self) -> list[AdmissionResult]:
        """Write nothing more; wait for the folders being written (milliseconds) and return their results, so
        that the report counts every folder on disk."""
        self._stop_sending()
        with self._writing:
            self._aborted = True
            self._writing.wait_for(lambda: self._writes_in_progress == 0)
        written = []
        while True:
            try:
                item = self._results.get_nowait()
            except queue.Empty:
                return written
            if isinstance(item, AdmissionResult):
                written.append(item)

    def _report(self, entry: dict[str, Any], result: AdmissionResult) -> None:
        """Hand the result to the calling thread; note this run's outcome in the patient's admission list."""
        if result.outcome.status != "skipped":
            entry["this_run"] = result.outcome.model_dump(include={"status", "error_kind", "error"})
        self._results.put(result)

    def _halt(self, reason: str) -> None:
        if not self._fatal:
            self._fatal = reason
            self.on_notice(f"Stopping: {reason}")
        self._stop_sending()

    def _stop_sending(self) -> None:
        """Start no admission and send no request from now on; the requests in flight finish."""
        self._stop.set()
        if self.pool:
            self.pool.stop()
