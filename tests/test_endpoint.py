"""`connect`: the governance check, the API key from the environment, and the HTTP client of every LLM command."""

import pytest

from generator.endpoint import MissingApiKey, connect
from generator.governance import EndpointNotAllowed
from generator.llm import LLMSettings
from generator.rate_limit import AdaptiveLimit
from tests.openai_server import chat_completion, error_response

KEY_ENV = "MIMICBENCH_TEST_API_KEY"
MESSAGES = [{"role": "user", "content": "hi"}]
SETTINGS = LLMSettings(model="m", retry_limit=1)
REMOTE = "https://api.example.com/v1"


@pytest.fixture(autouse=True)
def no_key(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)


def test_a_local_server_needs_no_key_and_gets_the_one_in_the_environment_when_set(openai_server, monkeypatch):
    openai_server.push(chat_completion("a"), chat_completion("b"))
    connect(openai_server.url, KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=()).chat(MESSAGES)
    monkeypatch.setenv(KEY_ENV, "sk-from-env")
    connect(openai_server.url, KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=()).chat(MESSAGES)

    sent = [request.headers["authorization"] for request in openai_server.requests]
    assert sent == ["Bearer not-needed", "Bearer sk-from-env"]


def test_a_remote_endpoint_is_refused_for_credentialed_data_before_its_key_is_asked_for():
    with pytest.raises(EndpointNotAllowed):
        connect(REMOTE, KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=())
    with pytest.raises(MissingApiKey, match=f"Set the environment variable {KEY_ENV} to the API key for {REMOTE}."):
        connect(REMOTE, KEY_ENV, SETTINGS, data_origin="credentialed", allowed_hosts=("api.example.com",))


def test_with_a_limit_every_request_holds_a_slot_and_a_429_lowers_the_limit(openai_server):
    limit = AdaptiveLimit(4)
    openai_server.push(error_response(429, "slow down", headers={"retry-after": "0"}), chat_completion("ok"))
    client = connect(openai_server.url, KEY_ENV, SETTINGS, data_origin="synthetic", allowed_hosts=(), limit=limit)

    assert client.chat(MESSAGES).content == "ok"
    assert (limit.limit, limit.cuts) == (2, 1)
