"""The endpoint pool: the real openai client over several scripted servers on 127.0.0.1. Requests go to the
least-loaded endpoint that is up; one that refuses connections or keeps failing is drained while the others carry
on, and probed again after its cool-down; each endpoint has its own 429 back-off; governance covers every one."""

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from generator.endpoint import connect
from generator.endpoints_pool import DRAIN_AFTER_FAILURES, DRAIN_FIRST_S, EndpointPool
from generator.governance import EndpointNotAllowed
from generator.llm import LLMSettings
from tests.openai_server import OpenAIServer, chat_completion, error_response

SETTINGS = LLMSettings(model="m", retry_limit=4, backoff_initial_s=0.01, backoff_max_s=0.02)
MESSAGES = [{"role": "user", "content": "hi"}]


class Clock:
    """A clock the test moves by hand, for the drained endpoints' cool-downs."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refused_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def client_of(pool: EndpointPool):
    return connect(pool, "MIMICBENCH_TEST_NO_KEY", SETTINGS, data_origin="synthetic", allowed_hosts=())


def test_concurrent_requests_spread_over_the_endpoints_and_each_record_names_the_one_that_answered():
    slow = lambda request: chat_completion("ok", delay_s=1.0)  # noqa: E731
    with OpenAIServer(fallback=slow) as first, OpenAIServer(fallback=slow) as second:
        pool = EndpointPool([first.url, second.url], ceiling=2)
        client = client_of(pool)
        started = time.monotonic()
        with ThreadPoolExecutor(4) as threads:
            results = list(threads.map(lambda _: client.chat(MESSAGES), range(4)))
        wall = time.monotonic() - started

    assert (len(first.requests), len(second.requests)) == (2, 2)
    assert wall < 1.8, "the four requests did not run two per endpoint at once (one at a time takes 2 s)"
    answered = sorted(result.attempts[0].endpoint for result in results)
    assert answered == sorted([first.url, first.url, second.url, second.url])
    assert client.endpoint == f"{first.url}, {second.url}"


def test_an_endpoint_that_refuses_connections_is_drained_and_the_request_goes_to_another_at_once():
    clock, down, notices = Clock(), refused_url(), []
    with OpenAIServer(fallback=lambda request: chat_completion("ok")) as up:
        pool = EndpointPool([down, up.url], ceiling=4, clock=clock, on_notice=notices.append)
        client = client_of(pool)
        first = client.chat(MESSAGES)
        later = [client.chat(MESSAGES) for _ in range(3)]

        assert [a.endpoint for a in first.attempts] == [up.url]  # the refusal was never a failed attempt
        assert all(result.attempts[0].endpoint == up.url for result in later)
        assert (pool.figures()[down]["times_drained"], pool.figures()[down]["requests"]) == (1, 1)

        clock.now += DRAIN_FIRST_S  # the cool-down is over: one probe, refused again, drained for twice as long
        client.chat(MESSAGES)
        assert (pool.figures()[down]["times_drained"], pool.figures()[down]["requests"]) == (2, 2)
        assert len(up.requests) == 5
        assert notices == [
            f"Endpoint {down}: it refused the connection; no requests for 2 s while the others carry on.",
            f"Endpoint {down}: it refused the connection; no requests for 4 s while the others carry on.",
        ]


def test_an_endpoint_that_keeps_failing_is_drained_while_the_other_carries_on_and_a_probe_brings_it_back():
    clock = Clock()
    with OpenAIServer() as failing, OpenAIServer(fallback=lambda request: chat_completion("ok")) as healthy:
        failing.fallback = lambda request: error_response(503, "overloaded")
        pool = EndpointPool([failing.url, healthy.url], ceiling=1, clock=clock)
        client = client_of(pool)
        with ThreadPoolExecutor(2) as threads:
            results = list(threads.map(lambda _: client.chat(MESSAGES), range(8)))

        assert all(result.content == "ok" for result in results)
        assert len(failing.requests) == DRAIN_AFTER_FAILURES
        assert pool.figures()[failing.url]["times_drained"] == 1
        failures = [a for r in results for a in r.attempts if a.status == "error"]
        assert {a.endpoint for a in failures} == {failing.url} and {a.http_status for a in failures} == {503}

        failing.fallback = lambda request: chat_completion("back")
        clock.now += DRAIN_FIRST_S
        answers = {client.chat(MESSAGES).attempts[-1].endpoint for _ in range(4)}
        assert failing.url in answers  # probed, answered, and taking requests again


def test_a_429_lowers_only_the_limit_of_the_endpoint_that_sent_it():
    with OpenAIServer() as busy, OpenAIServer(fallback=lambda request: chat_completion("ok")) as calm:
        busy.push(error_response(429, "slow down", headers={"retry-after": "0"}))
        busy.fallback = lambda request: chat_completion("ok")
        pool = EndpointPool([busy.url, calm.url], ceiling=4)
        client_of(pool).chat(MESSAGES)

    figures = pool.figures()
    assert (figures[busy.url]["final_limit"], figures[busy.url]["cuts"]) == (2, 1)
    assert (figures[calm.url]["final_limit"], figures[calm.url]["cuts"]) == (4, 0)


def test_governance_checks_every_endpoint_of_the_pool_before_any_request():
    with OpenAIServer() as local:
        pool = EndpointPool([local.url, "https://llm.example.org/v1"])
        with pytest.raises(EndpointNotAllowed, match="llm.example.org"):
            connect(pool, "MIMICBENCH_TEST_NO_KEY", SETTINGS, data_origin="credentialed", allowed_hosts=())
        assert local.requests == []


def test_records_and_figures_name_an_endpoint_without_the_user_and_password_of_its_url():
    with OpenAIServer(fallback=lambda request: chat_completion("ok")) as server:
        with_password = server.url.replace("http://", "http://user:hunter2-secret@")
        pool = EndpointPool([with_password])
        result = client_of(pool).chat(MESSAGES)

    assert result.attempts[0].endpoint == server.url
    assert list(pool.figures()) == [server.url]
