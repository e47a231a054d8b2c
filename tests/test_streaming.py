"""Streamed answers through the real openai client: assembled from chunks, cut off only by silence."""

import openai
import pytest

from generator.streaming import InFlight, collect
from tests.openai_server import ScriptedResponse, chat_completion, stream_events

MESSAGES = [{"role": "user", "content": "hi"}]


def stream(server, *, read_timeout: float):
    sdk = openai.OpenAI(
        base_url=server.url, api_key="test", max_retries=0, timeout=openai.Timeout(read_timeout, connect=2.0)
    )
    return sdk.chat.completions.create(
        model="m", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )


def test_content_finish_reason_and_usage_are_assembled_from_the_chunks(openai_server):
    openai_server.push(chat_completion('{"word": "hello"}', prompt_tokens=11, completion_tokens=5))
    answer = collect(stream(openai_server, read_timeout=2))
    assert (answer.content, answer.finish_reason) == ('{"word": "hello"}', "stop")
    assert (answer.prompt_tokens, answer.completion_tokens) == (11, 5)
    assert openai_server.requests[0].body["stream_options"] == {"include_usage": True}


def test_tool_calls_are_joined_by_index(openai_server):
    calls = [
        {"id": "c1", "name": "laboratory_tests", "arguments": {"tests": "CBC, lipase"}},
        {"id": "c2", "name": "physical_examination", "arguments": {}},
    ]
    openai_server.push(chat_completion(None, tool_calls=calls))
    answer = collect(stream(openai_server, read_timeout=2))
    assert answer.content is None and answer.finish_reason == "tool_calls"
    assert [(c.id, c.name, c.arguments) for c in answer.tool_calls] == [
        ("c1", "laboratory_tests", '{"tests": "CBC, lipase"}'),
        ("c2", "physical_examination", "{}"),
    ]


def test_a_slow_but_live_server_is_not_cut_off_by_the_silence_timeout(openai_server):
    body = chat_completion("a long answer arriving slowly").body
    openai_server.push(ScriptedResponse(body=body, stream_chunks=stream_events(body), chunk_delay_s=0.25))
    answer = collect(stream(openai_server, read_timeout=0.6))  # 5 chunks: 1.25 s in all, never 0.6 s silent
    assert answer.content == "a long answer arriving slowly"


def test_a_silent_server_times_out_after_the_read_timeout(openai_server):
    openai_server.push(ScriptedResponse(body=chat_completion("late").body, delay_s=3))
    with pytest.raises(openai.APITimeoutError):
        collect(stream(openai_server, read_timeout=0.5))


def test_in_flight_reports_the_age_of_the_oldest_request():
    now = [100.0]
    in_flight = InFlight(clock=lambda: now[0])
    assert in_flight.oldest_s() is None
    with in_flight.request():
        now[0] = 103.0
        with in_flight.request():
            now[0] = 110.0
            assert (in_flight.count(), in_flight.oldest_s()) == (2, 10.0)
        assert in_flight.oldest_s() == 10.0
    assert in_flight.count() == 0 and in_flight.oldest_s() is None
