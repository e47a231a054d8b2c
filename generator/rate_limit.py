"""Rate control for model requests: at most `AdaptiveLimit.limit` in flight, lowered while the server answers 429.

`LimitedTransport` is the HTTP transport that holds a slot for each request; `generator.endpoint` builds it into
the SDK client when a command runs requests concurrently.
"""

import threading

import httpx2

AUTH_STATUSES = frozenset({401, 403})


class RequestRefused(Exception):
    """Raised instead of sending a request once the run has stopped (Ctrl-C, or an authentication error)."""


class AdaptiveLimit:
    """How many model requests may be in flight: additive increase, multiplicative decrease (as in TCP).

    A 429 halves the limit, once per round: a 429 to a request sent before the last cut does not cut again.
    Every `limit` successes in a row raise it by one, back up to `ceiling`. A 401 or 403 stops it at once:
    requests waiting for a slot, and any later one, raise `RequestRefused` instead of being sent.
    """

    def __init__(self, ceiling: int):
        self.ceiling = ceiling
        self.limit = ceiling
        self.lowest = ceiling
        self.cuts = 0
        self._in_flight = 0
        self._successes = 0
        self._round = 0
        self._stopped = False
        self._changed = threading.Condition()

    def acquire(self) -> int:
        """Wait for a free slot; return the round the request is sent in."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopped or self._in_flight < self.limit)
            if self._stopped:
                raise RequestRefused("not sent: the run is stopping")
            self._in_flight += 1
            return self._round

    def release(self, sent_in_round: int, http_status: int | None) -> None:
        """Free the slot and adapt the limit to the answer (None: no answer, e.g. a timeout)."""
        with self._changed:
            self._in_flight -= 1
            if http_status in AUTH_STATUSES:
                self._stopped = True
            elif http_status == 429:
                self._successes = 0
                if sent_in_round == self._round:
                    self.limit = max(1, self.limit // 2)
                    self.lowest = min(self.lowest, self.limit)
                    self.cuts += 1
                    self._round += 1
            elif http_status is not None and http_status < 400:
                self._successes += 1
                if self.limit < self.ceiling and self._successes >= self.limit:
                    self.limit += 1
                    self._successes = 0
            self._changed.notify_all()

    def stop(self) -> None:
        """Send no more requests; those in flight finish."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()


class LimitedTransport(httpx2.BaseTransport):
    """An HTTP transport that holds a slot of an `AdaptiveLimit` for each request (give it to the openai client)."""

    def __init__(self, inner: httpx2.BaseTransport, limit: AdaptiveLimit):
        self._inner = inner
        self._limit = limit

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        sent_in_round = self._limit.acquire()
        status = None
        try:
            response = self._inner.handle_request(request)
            status = response.status_code
            return response
        finally:
            self._limit.release(sent_in_round, status)

    def close(self) -> None:
        self._inner.close()
