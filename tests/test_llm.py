"""The LLM client through the real openai SDK against the scripted server on 127.0.0.1."""

import json
import random
import threading
import time

import openai
import pytest
from pydantic import BaseModel, ConfigDict

from generator.llm import AnswerError, LLMClient, LLMError, LLMSettings, parse_json_answer, strict_json_schema
from tests.openai_server import chat_completion, error_response


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    word: str
    count: int


MESSAGES = [{"role": "user", "content": "say hi"}]


def make_client(server, *, timeout=2.0, sleeps=None, **settings) -> LLMClient:
    sdk = openai.OpenAI(base_url=server.url, api_key="sk-test-secret", max_retries=0, timeout=timeout)
    waits = sleeps if sleeps is not None else []
    return LLMClient(sdk, LLMSettings(model="test-model", **settings), sleep=waits.append, rng=random.Random(0))


def test_valid_answer_sends_json_schema_seed_temperature_and_store_false(openai_server):
    openai_server.push(chat_completion('{"word": "hi", "count": 1}', prompt_tokens=12, completion_tokens=7))
    result = make_client(openai_server, seed=3, temperature=0.2).chat(MESSAGES, output_schema=Answer)

    assert parse_json_answer(result) == {"word": "hi", "count": 1}
    sent = openai_server.requests[0].body
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["strict"] is True
    assert sent["response_format"]["json_schema"]["schema"]["additionalProperties"] is False
    assert (sent["seed"], sent["temperature"], sent["store"], sent["max_tokens"]) == (3, 0.2, False, 16000)
    [attempt] = result.attempts
    assert (attempt.status, attempt.input_tokens, attempt.output_tokens) == ("ok", 12, 7)
    assert attempt.finish_reason == "stop" and attempt.raw_text == '{"word": "hi", "count": 1}'


def test_api_key_is_sent_as_header_but_never_recorded(openai_server):
    openai_server.push(error_response(401, "bad key"))
    with pytest.raises(LLMError) as caught:
        make_client(openai_server).chat(MESSAGES)
    assert openai_server.requests[0].headers["authorization"] == "Bearer sk-test-secret"
    recorded = json.dumps([a.model_dump() for a in caught.value.attempts]) + str(caught.value)
    assert "sk-test-secret" not in recorded


def test_code_fences_and_surrounding_prose_are_tolerated(openai_server):
    openai_server.push(chat_completion('Here you go:\n```json\n{"word": "x", "count": 2}\n```\nDone.'))
    assert parse_json_answer(make_client(openai_server).chat(MESSAGES)) == {"word": "x", "count": 2}


def test_invalid_json_is_reported_not_raised_by_the_transport(openai_server):
    openai_server.push(chat_completion("{'word': oops"))
    result = make_client(openai_server).chat(MESSAGES, output_schema=Answer)
    with pytest.raises(AnswerError, match="not valid JSON"):
        parse_json_answer(result)


def test_truncated_answer_is_detected_and_never_parsed(openai_server):
    openai_server.push(chat_completion('{"word": "hi", "count": 1}', finish_reason="length"))
    result = make_client(openai_server).chat(MESSAGES, output_schema=Answer)
    assert result.truncated and result.attempts[0].finish_reason == "length"
    with pytest.raises(AnswerError, match="cut off"):
        parse_json_answer(result)


def test_429_honours_retry_after_then_succeeds(openai_server):
    waits: list[float] = []
    openai_server.push(
        error_response(429, "rate limited", headers={"retry-after": "7"}),
        chat_completion('{"word": "hi", "count": 1}'),
    )
    result = make_client(openai_server, sleeps=waits).chat(MESSAGES)
    assert waits == [7.0]
    assert [(a.status, a.http_status, a.error_kind) for a in result.attempts] == [
        ("error", 429, "rate_limit"),
        ("ok", 200, None),
    ]
    assert result.attempts[0].wait_before_retry_s == 7.0


def test_500s_back_off_exponentially_with_jitter_until_give_up(openai_server):
    waits: list[float] = []
    openai_server.push(*[error_response(500, "boom")] * 4)
    with pytest.raises(LLMError, match="gave up after 4 attempts") as caught:
        make_client(openai_server, sleeps=waits, retry_limit=3).chat(MESSAGES)
    assert caught.value.kind == "server" and len(caught.value.attempts) == 4
    assert len(openai_server.requests) == 4
    for retry, wait in enumerate(waits):
        assert 0.5 * 2**retry <= wait <= 2**retry
    assert caught.value.attempts[-1].raw_text and "boom" in caught.value.attempts[-1].raw_text


@pytest.mark.parametrize(
    ("status", "kind", "advice"),
    [
        (400, "bad_request", "refused"),
        (401, "auth", "API key"),
        (403, "auth", "API key"),
        (404, "not_found", "--base-url"),
    ],
)
def test_client_errors_fail_at_once_with_a_clear_message(openai_server, status, kind, advice):
    openai_server.push(error_response(status, "nope"))
    with pytest.raises(LLMError, match=advice) as caught:
        make_client(openai_server).chat(MESSAGES)
    assert caught.value.kind == kind and len(openai_server.requests) == 1


def test_slow_answer_past_the_timeout_is_retried_then_reported(openai_server):
    openai_server.push(*[chat_completion("{}", delay_s=2.0)] * 2)
    with pytest.raises(LLMError, match="gave up after 2 attempts") as caught:
        make_client(openai_server, timeout=0.2, retry_limit=1).chat(MESSAGES)
    assert [a.error_kind for a in caught.value.attempts] == ["timeout", "timeout"]


def test_connection_refused_is_a_retryable_connection_error():
    sdk = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="x", max_retries=0, timeout=1)
    client = LLMClient(sdk, LLMSettings(model="m", retry_limit=1), sleep=lambda s: None)
    with pytest.raises(LLMError) as caught:
        client.chat(MESSAGES)
    assert [a.error_kind for a in caught.value.attempts] == ["connection", "connection"]


def test_json_schema_unsupported_falls_back_to_json_mode(openai_server):
    openai_server.push(
        error_response(400, "response_format type json_schema is not supported", param="response_format"),
        chat_completion('{"word": "hi", "count": 1}'),
    )
    result = make_client(openai_server).chat(MESSAGES, output_schema=Answer)
    assert [r.body["response_format"]["type"] for r in openai_server.requests] == ["json_schema", "json_object"]
    assert result.notes == ["server rejected response_format json_schema; using json_object"]
    assert result.params_sent["response_format"] == "json_object"


def test_rejected_seed_temperature_and_max_tokens_are_adapted_and_noted(openai_server):
    openai_server.push(
        error_response(400, "Unsupported parameter: 'seed'", param="seed"),
        error_response(400, "Unsupported value: 'temperature' does not support 0 with this model."),
        error_response(400, "Unsupported parameter: 'max_tokens'. Use 'max_completion_tokens' instead."),
        chat_completion("ok"),
    )
    result = make_client(openai_server, seed=1).chat(MESSAGES)
    last = openai_server.requests[-1].body
    assert "seed" not in last and "temperature" not in last and last["max_completion_tokens"] == 16000
    assert result.notes == [
        "server rejected seed; dropped it",
        "server rejected temperature; dropped it",
        "server rejected max_tokens; sent max_completion_tokens",
    ]


def test_tool_calls_are_returned_and_can_be_continued(openai_server):
    tools = [{"type": "function", "function": {"name": "labs", "parameters": {"type": "object"}}}]
    openai_server.push(
        chat_completion(tool_calls=[{"id": "c1", "name": "labs", "arguments": {"tests": "CBC"}}]),
        chat_completion("final"),
    )
    client = make_client(openai_server)
    first = client.chat(MESSAGES, tools=tools, tool_choice="auto")
    assert first.finish_reason == "tool_calls"
    assert [(c.id, c.name, json.loads(c.arguments)) for c in first.tool_calls] == [("c1", "labs", {"tests": "CBC"})]

    history = [*MESSAGES, first.assistant_message(), {"role": "tool", "tool_call_id": "c1", "content": "WBC 12"}]
    second = client.chat(history, tools=tools)
    assert second.content == "final"
    sent = openai_server.requests[0].body
    assert sent["tools"] == tools and sent["tool_choice"] == "auto"
    assert openai_server.requests[1].body["messages"][1]["tool_calls"][0]["function"]["name"] == "labs"


def test_every_attempt_is_reported_as_it_happens(openai_server):
    seen = []
    sdk = openai.OpenAI(base_url=openai_server.url, api_key="x", max_retries=0)
    client = LLMClient(sdk, LLMSettings(model="m"), sleep=lambda s: None, on_attempt=seen.append)
    openai_server.push(error_response(503, "busy"), chat_completion("ok"))
    client.chat(MESSAGES)
    assert [a.http_status for a in seen] == [503, 200]


def test_strict_schema_requires_every_key_and_forbids_extras():
    schema = strict_json_schema(Answer)
    assert schema["required"] == ["word", "count"] and schema["additionalProperties"] is False
    assert "title" not in schema


def test_answers_are_streamed_with_usage_and_a_fitted_output_budget(openai_server):
    openai_server.push(chat_completion('{"word": "hi", "count": 1}', prompt_tokens=30, completion_tokens=9))
    result = make_client(openai_server).chat(MESSAGES, output_schema=Answer, max_tokens=777)
    sent = openai_server.requests[0].body
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert sent["max_tokens"] == 777
    assert (result.attempts[0].input_tokens, result.attempts[0].output_tokens) == (30, 9)
    assert parse_json_answer(result) == {"word": "hi", "count": 1}


def test_a_server_without_streaming_gets_whole_answers_noted(openai_server):
    openai_server.push(error_response(400, "'stream' is not supported", param="stream"), chat_completion("ok"))
    result = make_client(openai_server).chat(MESSAGES)
    assert result.content == "ok" and "stream" not in openai_server.requests[1].body
    assert result.notes == ["server rejected streaming; asked for whole answers"]


def test_a_given_schema_is_sent_and_a_server_rejecting_its_bounds_falls_back_to_json_mode(openai_server):
    bounded = {**strict_json_schema(Answer), "properties": {"word": {"type": "string", "maxLength": 5}}}
    openai_server.push(error_response(400, "unsupported keyword maxLength in schema"), chat_completion('{"word": "a"}'))
    result = make_client(openai_server).chat(MESSAGES, output_schema=Answer, schema=bounded)
    first, second = (r.body["response_format"] for r in openai_server.requests)
    assert first["json_schema"]["schema"]["properties"]["word"]["maxLength"] == 5
    assert second == {"type": "json_object"}
    assert result.notes == ["server rejected response_format json_schema; using json_object"]


def test_a_prompt_over_the_context_window_is_its_own_error_kind_with_the_fix(openai_server):
    overflow = "request (8764 tokens) exceeds the available context size (8192 tokens), try increasing it"
    openai_server.push(error_response(400, overflow))
    with pytest.raises(LLMError, match="--context-window") as caught:
        make_client(openai_server).chat(MESSAGES)
    assert caught.value.kind == "context_overflow"


def test_a_silent_server_is_given_up_on_naming_the_request_timeout(openai_server):
    openai_server.push(chat_completion("{}", delay_s=2.0))
    with pytest.raises(LLMError, match=r"sent nothing for 0.3 s \(--request-timeout") as caught:
        make_client(openai_server, timeout=openai.Timeout(0.3, connect=1.0), retry_limit=0).chat(MESSAGES)
    assert caught.value.kind == "timeout"


def test_requests_in_flight_show_how_long_the_oldest_has_waited(openai_server):
    openai_server.push(chat_completion("ok", delay_s=0.6))
    client = make_client(openai_server)
    ages = []
    worker = threading.Thread(target=client.chat, args=(MESSAGES,))
    worker.start()
    time.sleep(0.3)
    ages.append(client.in_flight.oldest_s())
    worker.join()
    assert ages[0] is not None and ages[0] >= 0.2 and client.in_flight.oldest_s() is None
