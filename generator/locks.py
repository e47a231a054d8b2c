"""Exclusive locks between runs: a lock file held with `flock` for as long as a run works on what it guards.

The kernel releases a lock when its holder exits, however it exits (kill -9 included), so a lock file left on
disk never blocks a later run; only a live run holds one.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Busy(Exception):
    """Another live run holds the lock; the message names what it guards and the lock file."""


@contextmanager
def exclusive(lock_file: Path, what: str) -> Iterator[None]:
    """Hold `lock_file`'s lock for the block, or raise `Busy` at once if another process holds it."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(f"another run is working on {what} (it holds {lock_file}); let it finish, then rerun") from None
        yield
    finally:
        os.close(handle)
