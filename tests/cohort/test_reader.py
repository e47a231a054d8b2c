"""Reader: warehouse reads waiting for a thread go to the patient with the most admissions left first."""

import threading

from generator.cohort.reader import Reader


def test_waiting_reads_of_patients_with_more_admissions_left_go_first_and_a_failed_read_is_handed_on():
    order, busy, release = [], threading.Event(), threading.Event()

    def read(hadm_id: int) -> int:
        order.append(hadm_id)
        if hadm_id == 0:
            busy.set()
            release.wait()
        if hadm_id == 5:
            raise LookupError("no such admission")
        return hadm_id

    reader = Reader(read, threads=1)
    first = reader.submit(0, admissions_left=1)
    busy.wait()
    waiting = {
        hadm_id: reader.submit(hadm_id, admissions_left=left)
        for hadm_id, left in [(1, 1), (2, 5), (3, 2), (4, 5), (5, 3)]
    }
    release.set()

    assert [first.result(), *(waiting[h].result() for h in (1, 2, 3, 4))] == [0, 1, 2, 3, 4]
    assert isinstance(waiting[5].exception(), LookupError)
    assert order == [0, 2, 4, 5, 3, 1]
    reader.close()
