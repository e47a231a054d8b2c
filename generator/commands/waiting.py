"""While model requests wait, a line every so often saying how long the oldest has been in flight."""

import threading
from collections.abc import Callable

from generator.answer import Backend
from generator.model_backend import ModelBackend
from generator.streaming import InFlight

NOTICE_AFTER_S = 30.0  # say nothing about requests younger than this
NOTICE_EVERY_S = 30.0


class WaitingNotice:
    """Calls `show(line)` every `every_s` seconds while the oldest request in flight is `after_s` old or more."""

    def __init__(
        self,
        in_flight: InFlight,
        show: Callable[[str], None],
        *,
        after_s: float = NOTICE_AFTER_S,
        every_s: float = NOTICE_EVERY_S,
    ):
        self._in_flight = in_flight
        self._show = show
        self._after_s = after_s
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="waiting-notice", daemon=True)

    def __enter__(self) -> "WaitingNotice":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(self._every_s):
            oldest = self._in_flight.oldest_s()
            if oldest is not None and oldest >= self._after_s:
                count = self._in_flight.count()
                requests = "1 request" if count == 1 else f"{count} requests"
                self._show(f"waiting for the model: {requests} in flight, the oldest for {oldest:.0f} s")


def in_flight_of(backend: Backend) -> InFlight:
    """The requests in flight of a model backend (none ever for the template)."""
    return backend.llm.in_flight if isinstance(backend, ModelBackend) else InFlight()
