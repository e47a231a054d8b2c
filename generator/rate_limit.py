"""Rate control for model requests: at most `AdaptiveLimit.limit` in flight to an endpoint, lowered while it
answers 429.

`generator.endpoints_pool` keeps one limit per endpoint and waits for a free slot among them.
"""

AUTH_STATUSES = frozenset({401, 403})


class RequestRefused(Exception):
    """Raised instead of sending a request once the run has stopped (Ctrl-C, or an authentication error)."""


class AdaptiveLimit:
    """How many model requests may be in flight to one endpoint: additive increase, multiplicative decrease (as in
    TCP). Not thread-safe by itself: its pool calls it under the pool's lock.

    A 429 halves the limit, once per round: a 429 to a request sent before the last cut does not cut again.
    Every `limit` successes in a row raise it by one, back up to `ceiling`. A 401 or 403 stops it at once:
    it takes no request from then on.
    """

    def __init__(self, ceiling: int):
        self.ceiling = ceiling
        self.limit = ceiling
        self.lowest = ceiling
        self.cuts = 0
        self.in_flight = 0
        self.stopped = False
        self._successes = 0
        self._round = 0

    @property
    def has_room(self) -> bool:
        return not self.stopped and self.in_flight < self.limit

    def take(self) -> int:
        """Count a request as in flight; return the round it is sent in."""
        self.in_flight += 1
        return self._round

    def release(self, sent_in_round: int, http_status: int | None) -> None:
        """Free the slot and adapt the limit to the answer (None: no answer, e.g. a timeout)."""
        self.in_flight -= 1
        if http_status in AUTH_STATUSES:
            self.stopped = True
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
