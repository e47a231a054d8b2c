"""`connect`: the governance check, the API key from the environment, and the HTTP client of every LLM command:
its route (no proxy but an allowed one), no redirects, and the key redacted from everything the server says."""

import gzip
import re

import httpx2
import pytest

from generator.endpoint import MissingApiKey, connect
from generator.endpoints_pool import EndpointPool
from generator.governance import EndpointNotAllowed
from generator.llm import LLMError, LLMSettings
from generator.redaction import redacting
from tests.conftest import REPO_ROOT
from tests.openai_server import PROXY_VARIABLES, OpenAIServer, ScriptedResponse, chat_completion, error_response

KEY_ENV = "MIMICBENCH_TEST_API_KEY"
MESSAGES = [{"role": "user", "content": "hi"}]
SETTINGS = LLMSettings(model="m", retry_limit=1)
REMOTE = "https://api.example.com/v1"


@pytest.fixture(autouse=True)
def no_key(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)


def test_a_local_server_needs_no_key_and_gets_the_one_in_the_environment_when_set(openai_server, monkeypatch):
    openai_server.push(chat_completion("a"), chat_completion("b"))
    connect(EndpointPool([openai_server.url]), KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=()).chat(
        MESSAGES
    )
    monkeypatch.setenv(KEY_ENV, "sk-from-env")
    connect(EndpointPool([openai_server.url]), KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=()).chat(
        MESSAGES
    )

    sent = [request.headers["authorization"] for request in openai_server.requests]
    assert sent == ["Bearer not-needed", "Bearer sk-from-env"]


def test_a_remote_endpoint_is_refused_for_credentialed_data_before_its_key_is_asked_for():
    with pytest.raises(EndpointNotAllowed):
        connect(EndpointPool([REMOTE]), KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=())
    with pytest.raises(MissingApiKey, match=f"Set the environment variable {KEY_ENV} to the API key for {REMOTE}."):
        connect(
            EndpointPool([REMOTE]), KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=("api.example.com",)
        )


def test_with_a_limit_every_request_holds_a_slot_and_a_429_lowers_the_limit(openai_server):
    pool = EndpointPool([openai_server.url], ceiling=4)
    openai_server.push(error_response(429, "slow down", headers={"retry-after": "0"}), chat_completion("ok"))
    client = connect(pool, KEY_ENV, SETTINGS, data_origin="synthetic", allowed_hosts=())

    assert client.chat(MESSAGES).content == "ok"
    figures = pool.figures()[openai_server.url]
    assert (figures["final_limit"], figures["cuts"], figures["requests"]) == (2, 1, 2)


SECRET = "sk-live-0123456789abcdefghij"


def test_a_local_endpoint_is_reached_directly_whatever_proxy_the_environment_names(openai_server, proxy):
    openai_server.push(chat_completion("direct"))
    client = connect(EndpointPool([openai_server.url]), KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=())

    assert client.chat(MESSAGES).content == "direct"
    assert proxy.requests == [] and len(openai_server.requests) == 1


def test_credentialed_data_for_an_allowed_host_goes_through_the_proxy_only_when_that_is_allowed(proxy, monkeypatch):
    monkeypatch.setenv(KEY_ENV, SECRET)
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, "http://proxy.corp.example:3128")
    remote = "http://llm.example.org/v1"
    with pytest.raises(EndpointNotAllowed, match="through the proxy proxy.corp.example named by .*HTTP_PROXY"):
        connect(
            EndpointPool([remote]), KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=("llm.example.org",)
        )
    connect(EndpointPool([remote]), KEY_ENV, SETTINGS, data_origin="synthetic", allowed_hosts=())

    monkeypatch.setenv("NO_PROXY", "example.org")  # the endpoint exempt: connect straight to it
    connect(EndpointPool([remote]), KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=("llm.example.org",))


def test_an_allowed_proxy_carries_the_request(proxy, monkeypatch):
    monkeypatch.setenv(KEY_ENV, SECRET)
    proxy.push(chat_completion("via proxy"))
    remote = "http://llm.example.org/v1"
    client = connect(
        EndpointPool([remote]), KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=("llm.example.org",)
    )

    assert client.chat(MESSAGES).content == "via proxy"
    assert [r.path for r in proxy.requests] == ["http://llm.example.org/v1/chat/completions"]


def test_a_redirect_is_not_followed_and_its_target_is_recorded(openai_server):
    with OpenAIServer() as elsewhere:
        target = f"{elsewhere.url}/chat/completions"
        openai_server.push(ScriptedResponse(status=307, headers={"location": target}))
        client = connect(
            EndpointPool([openai_server.url]), KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=()
        )
        with pytest.raises(LLMError) as refused:
            client.chat(MESSAGES)

        assert elsewhere.requests == []
    assert refused.value.kind == "redirect" and len(openai_server.requests) == 1
    assert "give the address it redirects to as --base-url" in str(refused.value)
    [attempt] = refused.value.attempts
    assert attempt.http_status == 307 and f"a redirect to {target}, not followed" in attempt.error


def test_the_api_key_echoed_by_the_server_is_redacted_from_answers_and_errors(openai_server, monkeypatch):
    monkeypatch.setenv(KEY_ENV, SECRET)
    openai_server.push(chat_completion(f"your key is {SECRET}"))
    openai_server.fallback = lambda request: error_response(401, f"bad key {request.headers['authorization']}")
    client = connect(EndpointPool([openai_server.url]), KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=())

    assert client.chat(MESSAGES).content == "your key is [redacted]"
    with pytest.raises(LLMError) as failed:
        client.chat(MESSAGES)
    assert "bad key Bearer [redacted]" in str(failed.value)
    assert SECRET not in str(failed.value) and SECRET not in failed.value.attempts[0].model_dump_json()
    assert openai_server.requests[-1].headers["authorization"] == f"Bearer {SECRET}"


def test_redaction_finds_the_key_across_the_chunks_of_a_compressed_body():
    compressed = gzip.compress(f'{{"error": "echo {SECRET} and again {SECRET}"}}'.encode())
    plain = f"..{SECRET}..".encode()
    bodies = [
        ({"content-encoding": "gzip"}, [compressed[i : i + 7] for i in range(0, len(compressed), 7)]),
        ({}, [plain[:9], plain[9:15], plain[15:]]),
    ]
    texts = []
    for headers, chunks in bodies:
        server = httpx2.MockTransport(
            lambda request, h=headers, c=chunks: httpx2.Response(500, headers=h, stream=_Chunks(c))
        )
        with httpx2.Client(transport=redacting(server, SECRET)) as client:
            texts.append(client.get("http://server.test/").text)
    assert texts == ['{"error": "echo [redacted] and again [redacted]"}', "..[redacted].."]


def test_a_connection_error_names_the_url_it_tried():
    client = connect(
        EndpointPool(["http://127.0.0.1:9/v1"]), KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=()
    )
    with pytest.raises(LLMError) as failed:
        client.chat(MESSAGES)
    assert failed.value.kind == "connection"
    assert "POST http://127.0.0.1:9/v1/chat/completions" in str(failed.value)


def test_no_module_but_endpoint_builds_an_http_or_openai_client():
    builders = re.compile(r"\bopenai\.OpenAI\(|DefaultHttpx2?Client\(|httpx2?\.(Client|HTTPTransport)\(")
    offenders = [
        path.relative_to(REPO_ROOT).as_posix()
        for path in (REPO_ROOT / "generator").rglob("*.py")
        if builders.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == ["generator/endpoint.py"]


class _Chunks(httpx2.SyncByteStream):
    def __init__(self, chunks: list[bytes]):
        self._chunks = chunks

    def __iter__(self):
        yield from self._chunks
