"""Several endpoints of one model behind one client: each request goes to the least-loaded endpoint that is up.

`EndpointPool` holds what the endpoints of a run share: each endpoint's adaptive in-flight limit (a 429 halves
it, `generator.rate_limit`) and its health. An endpoint that refuses a connection is drained at once, one that
fails `DRAIN_AFTER_FAILURES` requests in a row (5xx, no answer) too; a drained endpoint gets no request for a
cool-down (`DRAIN_FIRST_S`, doubling up to `DRAIN_MAX_S`), then one probe at a time until one is answered. The
others carry on meanwhile. A request whose connection was refused (so nothing was sent) goes at once to another
endpoint that is up; when none is, the error reaches the client, whose retries and back-off take over.

`PoolTransport` is the HTTP transport that does this for the SDK client (`generator.endpoint.connect` builds it,
with each endpoint's own transport: its governance route, the API key redacted). It sends each request to the
chosen endpoint's URL, names the endpoint in `request.extensions[ENDPOINT_EXTENSION]` (the call records read it;
`endpoint_name`: the base URL without any user or password part, as in reports),
and holds the slot until the answer's body is closed, so a streamed answer counts as in flight until its end.
"""

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx2

from generator.rate_limit import AdaptiveLimit, RequestRefused

ENDPOINT_EXTENSION = "mimicbench_endpoint"
DRAIN_AFTER_FAILURES = 3
DRAIN_FIRST_S = 2.0
DRAIN_MAX_S = 60.0


def endpoint_name(base_url: str) -> str:
    """The base URL without any user or password part: how records and reports name an endpoint."""
    url = urlsplit(base_url)
    netloc = f"[{url.hostname}]" if ":" in (url.hostname or "") else url.hostname or ""
    if url.port:
        netloc += f":{url.port}"
    return urlunsplit((url.scheme, netloc, url.path, "", ""))


@dataclass
class Endpoint:
    """One endpoint's load and health; changed only under its pool's lock."""

    url: str
    index: int
    limit: AdaptiveLimit | None
    name: str = field(init=False)
    in_flight: int = 0
    failures_in_a_row: int = 0
    drains_in_a_row: int = 0
    drained_until: float | None = None
    requests: int = 0
    failed: int = 0
    times_drained: int = 0

    def __post_init__(self) -> None:
        self.name = endpoint_name(self.url)

    def ready(self, now: float) -> bool:
        """Takes a request now: up with a free slot, or drained with its cool-down over and no probe out."""
        if self.drained_until is not None:
            return now >= self.drained_until and self.in_flight == 0
        return self.limit is None or self.limit.has_room

    def load(self) -> tuple[float, int, int]:
        share = self.in_flight / self.limit.limit if self.limit else float(self.in_flight)
        return share, self.in_flight, self.index


class EndpointPool:
    """The endpoints of a run (at least one), each with its own in-flight limit of `ceiling` (None: unlimited).

    `on_notice` is told each time an endpoint is drained (a command points it at its display)."""

    def __init__(
        self,
        base_urls: Sequence[str],
        ceiling: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_notice: Callable[[str], None] = lambda message: None,
    ):
        urls = list(dict.fromkeys(base_urls))
        if not urls:
            raise ValueError("an endpoint pool needs at least one base URL")
        self.ceiling = ceiling
        self.endpoints = [Endpoint(url, i, AdaptiveLimit(ceiling) if ceiling else None) for i, url in enumerate(urls)]
        self.on_notice = on_notice
        self._clock = clock
        self._stopped = False
        self._changed = threading.Condition()

    @property
    def base_urls(self) -> list[str]:
        return [endpoint.url for endpoint in self.endpoints]

    def acquire(self, tried: frozenset[str] = frozenset()) -> tuple[Endpoint, int] | None:
        """Wait for the least-loaded endpoint with room and count the request on it; return it and the limit's round.

        A first try (`tried` empty) waits while every endpoint is full or drained. A retry after refused
        connections takes only an endpoint not in `tried`, and returns None rather than wait for a drained one.
        Raises `RequestRefused` once the pool is stopped, or when every endpoint refused the API key.
        """
        with self._changed:
            while True:
                if self._stopped:
                    raise RequestRefused("not sent: the run is stopping")
                open_ = [e for e in self.endpoints if not (e.limit and e.limit.stopped)]
                if not open_:
                    raise RequestRefused("not sent: every endpoint refused the API key")
                candidates = [e for e in open_ if e.url not in tried]
                now = self._clock()
                ready = [e for e in candidates if e.ready(now)]
                if ready:
                    chosen = min(ready, key=Endpoint.load)
                    chosen.in_flight += 1
                    chosen.requests += 1
                    return chosen, chosen.limit.take() if chosen.limit else 0
                if tried and all(e.drained_until is not None for e in candidates):
                    return None
                due = [e.drained_until for e in candidates if e.drained_until is not None and e.drained_until > now]
                self._changed.wait(timeout=min(due) - now if due else None)

    def release(self, endpoint: Endpoint, sent_in_round: int, http_status: int | None, *, refused: bool) -> None:
        """Free the slot; an answer below 500 (a 429 too) marks the endpoint up, a refused connection drains it,
        a 5xx or no answer counts towards draining it (a probe's failure drains it again at once)."""
        with self._changed:
            endpoint.in_flight -= 1
            if endpoint.limit:
                endpoint.limit.release(sent_in_round, http_status)
            if http_status is not None and http_status < 500:
                endpoint.failures_in_a_row = endpoint.drains_in_a_row = 0
                endpoint.drained_until = None
            else:
                endpoint.failed += 1
                endpoint.failures_in_a_row += 1
                if refused:
                    self._drain(endpoint, "it refused the connection")
                elif endpoint.drained_until is not None:
                    self._drain(endpoint, "its probe failed")
                elif endpoint.failures_in_a_row >= DRAIN_AFTER_FAILURES:
                    self._drain(endpoint, f"{DRAIN_AFTER_FAILURES} requests in a row failed")
            self._changed.notify_all()

    def stop(self) -> None:
        """Send no more requests; those in flight finish."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    def figures(self) -> dict[str, dict[str, Any]]:
        """Per endpoint (by `endpoint_name`): requests sent, failed, times drained, and its limit's figures."""
        with self._changed:
            return {
                e.name: {"requests": e.requests, "failed": e.failed, "times_drained": e.times_drained}
                | (
                    {
                        "ceiling": e.limit.ceiling,
                        "final_limit": e.limit.limit,
                        "lowest_limit": e.limit.lowest,
                        "cuts": e.limit.cuts,
                    }
                    if e.limit
                    else {}
                )
                for e in self.endpoints
            }

    def _drain(self, endpoint: Endpoint, reason: str) -> None:
        endpoint.drains_in_a_row += 1
        endpoint.times_drained += 1
        endpoint.failures_in_a_row = 0
        cool_down = min(DRAIN_MAX_S, DRAIN_FIRST_S * 2 ** (endpoint.drains_in_a_row - 1))
        endpoint.drained_until = self._clock() + cool_down
        others = " while the others carry on" if len(self.endpoints) > 1 else ""
        self.on_notice(f"Endpoint {endpoint.name}: {reason}; no requests for {cool_down:.0f} s{others}.")


class PoolTransport(httpx2.BaseTransport):
    """The HTTP transport that sends each request to an endpoint of `pool`, through that endpoint's transport.

    The SDK client's base URL is the pool's first endpoint: a request under its path is sent under the chosen
    endpoint's path, any other (the server root's `/tokenize`) to the chosen endpoint's host.
    """

    def __init__(self, pool: EndpointPool, transports: Mapping[str, httpx2.BaseTransport]):
        self._pool = pool
        self._transports = dict(transports)
        self._primary = httpx2.URL(pool.base_urls[0])

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        original, tried, refusal = request.url, frozenset[str](), None
        while True:
            taken = self._pool.acquire(tried)
            if taken is None:
                assert refusal is not None  # only a retry after a refused connection gets no endpoint
                raise refusal
            endpoint, sent_in_round = taken
            self._route(request, original, endpoint.url)
            try:
                response = self._transports[endpoint.url].handle_request(request)
            except (httpx2.ConnectError, httpx2.ConnectTimeout) as error:  # nothing was sent: try another endpoint
                self._pool.release(endpoint, sent_in_round, None, refused=True)
                tried, refusal = tried | {endpoint.url}, error
                continue
            except BaseException:
                self._pool.release(endpoint, sent_in_round, None, refused=False)
                raise
            body = _HeldBody(response.stream, self._releaser(endpoint, sent_in_round, response.status_code))
            return httpx2.Response(
                response.status_code, headers=response.headers, stream=body, extensions=response.extensions
            )

    def close(self) -> None:
        for transport in self._transports.values():
            transport.close()

    def _route(self, request: httpx2.Request, original: httpx2.URL, base_url: str) -> None:
        target = httpx2.URL(base_url)
        prefix = self._primary.path.rstrip("/")
        path = original.path
        if path == prefix or path.startswith(prefix + "/"):
            path = target.path.rstrip("/") + path[len(prefix) :]
        request.url = original.copy_with(scheme=target.scheme, host=target.host, port=target.port, path=path)
        request.headers["Host"] = request.url.netloc.decode("ascii")
        request.extensions[ENDPOINT_EXTENSION] = endpoint_name(base_url)

    def _releaser(self, endpoint: Endpoint, sent_in_round: int, status: int) -> Callable[[bool], None]:
        def release(failed: bool) -> None:
            self._pool.release(endpoint, sent_in_round, None if failed else status, refused=False)

        return release


class _HeldBody(httpx2.SyncByteStream):
    """A response body that frees its request's slot when closed, as failed if reading it broke off."""

    def __init__(self, inner: httpx2.SyncByteStream, release: Callable[[bool], None]):
        self._inner = inner
        self._release: Callable[[bool], None] | None = release
        self._failed = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._inner
        except httpx2.TransportError:
            self._failed = True
            raise

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            if self._release is not None:
                release, self._release = self._release, None
                release(self._failed)
