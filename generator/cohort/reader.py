"""The cohort run's reader threads: warehouse reads, the patient with most admissions left first."""

import itertools
import math
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from generator.answer import AdmissionInputs


class Reader:
    """Runs `read(hadm_id)` on `threads` threads, the admission whose patient has most admissions left first.

    A long chain waits for each of its reads; a short one has time to spare. So at the start, when every
    patient's first reads are asked for at once, the long chains' reads do not queue behind the short ones'.
    The runner starts as many threads as cores: more would only share them, and serve no read sooner.
    """

    def __init__(self, read: Callable[[int], AdmissionInputs], threads: int):
        self._read = read
        self._threads = threads
        self._order = itertools.count()  # first come, first served among equals
        self._todo: queue.PriorityQueue[tuple[float, int, int, Future[AdmissionInputs] | None]] = queue.PriorityQueue()
        self._workers = [
            threading.Thread(target=self._serve, name=f"cohort-read-{number}", daemon=True) for number in range(threads)
        ]
        for worker in self._workers:
            worker.start()

    def submit(self, hadm_id: int, *, admissions_left: int) -> "Future[AdmissionInputs]":
        future: Future[AdmissionInputs] = Future()
        self._todo.put((-admissions_left, next(self._order), hadm_id, future))
        return future

    def close(self) -> None:
        """End the threads once the reads in progress finish; reads not started yet are dropped.

        Waiting matters: a read still running inside DuckDB when the interpreter exits aborts the process
        ("terminate called without an active exception")."""
        for _ in range(self._threads):
            self._todo.put((-math.inf, next(self._order), 0, None))
        for worker in self._workers:
            worker.join()

    def _serve(self) -> None:
        while True:
            _, _, hadm_id, future = self._todo.get()
            if future is None:
                return
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(self._read(hadm_id))
                except BaseException as error:  # the worker waiting for it gets it
                    future.set_exception(error)
