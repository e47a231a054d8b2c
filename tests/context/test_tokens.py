"""Counting prompt tokens with the server's tokenizer (llama.cpp, vLLM) or the over-counting estimate."""

import re

import openai
import pytest

from generator.context.tokens import (
    HALVING_CHARS,
    EstimatedCounter,
    LlamaCppCounter,
    TokenCountError,
    VllmCounter,
    beginning_over,
    estimate_tokens,
    halving_cut,
    least_tokens,
    listed_tokens,
    token_counter,
)
from tests.context.fake_llamacpp import FakeLlamaCpp, render_chat, token_count
from tests.openai_server import ScriptedResponse, error_response

MESSAGES = [{"role": "system", "content": "You write."}, {"role": "user", "content": "LAB#1|H+01:00|Sodium|140"}]
TOOLS = [{"type": "function", "function": {"name": "imaging", "parameters": {"type": "object"}}}]


def client(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url, api_key="test", max_retries=0, timeout=2)


def test_llamacpp_counts_the_chat_as_its_template_renders_it_tools_included(openai_server):
    FakeLlamaCpp(openai_server, 8192)
    counter = token_counter(client(openai_server), "local")
    assert isinstance(counter, LlamaCppCounter)
    assert counter.count(MESSAGES, TOOLS) == token_count(render_chat(MESSAGES, TOOLS))
    template = [r for r in openai_server.side_requests if r.path == "/apply-template"][-1]
    assert template.body == {"messages": MESSAGES, "tools": TOOLS}
    assert [r for r in openai_server.side_requests if r.path == "/tokenize"][-1].body["add_special"] is True


def test_vllm_counts_the_messages_with_its_tokenize_endpoint(openai_server):
    openai_server.route("POST", "/apply-template", lambda request: error_response(404, "Not Found"))
    openai_server.route(
        "POST",
        "/tokenize",
        lambda request: ScriptedResponse(body={"count": 7 * len(request.body["messages"]), "max_model_len": 4096}),
    )
    counter = token_counter(client(openai_server), "Qwen/Qwen3-8B")
    assert isinstance(counter, VllmCounter) and counter.count(MESSAGES) == 14
    sent = openai_server.side_requests[-1].body
    assert (sent["model"], sent["messages"], sent["add_generation_prompt"]) == ("Qwen/Qwen3-8B", MESSAGES, True)


def test_without_a_tokenizer_the_estimate_counts_every_byte(openai_server):
    openai_server.route("POST", "/apply-template", lambda request: error_response(404, "Not Found"))
    openai_server.route("POST", "/tokenize", lambda request: error_response(404, "Not Found"))
    counter = token_counter(client(openai_server), "m")
    assert isinstance(counter, EstimatedCounter) and "UTF-8 byte" in counter.method
    content_bytes = sum(len(m["content"].encode()) for m in MESSAGES)
    assert counter.count(MESSAGES) == content_bytes + 3 * 16


def test_estimate_never_counts_fewer_tokens_than_the_chat_has_bytes_nor_than_a_real_tokenizer():
    messages = [{"role": "user", "content": "Ödem 12.5 mg/dL · LAB#123456|H+12:30"}]
    assert estimate_tokens(messages) >= len(messages[0]["content"].encode("utf-8"))
    assert estimate_tokens(messages, TOOLS) >= token_count(render_chat(messages, TOOLS))


def test_the_lower_bound_is_a_token_per_six_characters_below_any_count():
    messages = [{"role": "user", "content": "Ödem 12.5 mg/dL · LAB#123456|H+12:30"}]
    assert least_tokens(messages) == len(messages[0]["content"]) // 6
    assert least_tokens(messages, TOOLS) > least_tokens(messages)
    assert least_tokens(messages, TOOLS) < token_count(render_chat(messages, TOOLS)) < estimate_tokens(messages, TOOLS)


def test_a_beginning_over_a_limit_ends_at_a_line_and_is_only_cut_from_a_prompt_long_enough_to_pay():
    rows = "".join(f"LAB#{index}|H+01:00|Sodium|140\n" for index in range(100))  # 29-30 characters a line
    messages = [{"role": "system", "content": "You write."}, {"role": "user", "content": rows}]
    cut = beginning_over(messages, 300)  # 600 characters at 2 a token, after the system's 10
    assert cut[0] == messages[0] and rows.startswith(cut[1]["content"]) and cut[1]["content"].endswith("\n")
    assert 590 <= len(cut[1]["content"]) < 590 + 30
    assert beginning_over(messages, len(rows) // 2) is None  # the whole is not 1.25 times the beginning


def pieces(text: str) -> int:
    """A tokenizer that, like BPE's, never merges across a newline: up to three characters of a line a token."""
    return len(re.findall(r"\n|[^\n]{1,3}", text))


def long_chat(seed: int) -> list[dict]:
    rows = "".join(f"LAB#{seed}{index}|H+01:00|Sodium|{index % 150}\n" for index in range(HALVING_CHARS // 20))
    return [{"role": "system", "content": "You write."}, {"role": "user", "content": rows}]


def tokenized(server) -> list[dict]:
    return [r.body for r in server.side_requests if r.path == "/tokenize"]


def test_a_long_prompt_of_a_bpe_vocabulary_is_counted_in_halves_once_they_matched_the_whole(openai_server):
    FakeLlamaCpp(openai_server, 8192, tokenizer=pieces, vocab_type=2)
    counter = token_counter(client(openai_server), "local")
    first, second = long_chat(1), long_chat(2)
    before = len(tokenized(openai_server))
    assert counter.count(first) == pieces(render_chat(first))  # the first: whole, and in halves to check
    assert len(tokenized(openai_server)) - before == 3
    before = len(tokenized(openai_server))
    assert counter.count(second) == pieces(render_chat(second))
    # both halves are sent at once, so they may arrive in either order; only the first has special tokens added
    halves = sorted(tokenized(openai_server)[before:], key=lambda half: not half["add_special"])
    assert len(halves) == 2 and [half["add_special"] for half in halves] == [True, False]
    assert halves[0]["content"] + halves[1]["content"] == render_chat(second)
    assert halves[0]["content"].endswith("\n") and not halves[1]["content"][0].isspace()
    short = [{"role": "user", "content": "LAB#1|H+01:00|Sodium|140"}]
    before = len(tokenized(openai_server))
    assert counter.count(short) == pieces(render_chat(short)) and len(tokenized(openai_server)) - before == 1


@pytest.mark.parametrize(
    ("tokenizer", "vocab_type"),
    [(lambda text: pieces(text) + 1, 2), (pieces, 1), (pieces, None)],
    ids=["halves-disagree", "spm-vocabulary", "vocabulary-not-said"],
)
def test_a_long_prompt_is_counted_whole_unless_halves_are_known_to_add_up(openai_server, tokenizer, vocab_type):
    FakeLlamaCpp(openai_server, 8192, tokenizer=tokenizer, vocab_type=vocab_type)
    counter = token_counter(client(openai_server), "local")
    counter.count(long_chat(1))
    before = len(tokenized(openai_server))
    assert counter.count(long_chat(2)) == tokenizer(render_chat(long_chat(2)))
    assert [body["content"] for body in tokenized(openai_server)[before:]] == [render_chat(long_chat(2))]


def test_a_text_is_cut_in_halves_after_a_newline_between_two_characters_that_are_not_whitespace():
    text = "header\n\n" + "a" * 40 + "\n b\n\nc\nd\ne"
    cut = halving_cut(text)
    assert text[cut - 2 : cut + 1] == "c\nd" and cut >= len(text) // 2
    assert halving_cut("a" * 50 + "\n  \n b\n") is None


def test_the_token_list_is_counted_in_its_usual_form_and_read_as_json_in_any_other():
    assert listed_tokens(b'{"tokens":[1,22,333]}') == 3
    assert listed_tokens(b'{"tokens": [1, 22,\n 333]}\n') == 3
    assert listed_tokens(b'{"tokens":[]}') == 0
    assert listed_tokens(b'{"tokens":[{"id":1,"piece":"a,b"},{"id":2,"piece":"]"}]}') == 2
    assert listed_tokens(b'{"error":"no [tokens], sorry"}') is None
    assert listed_tokens(b"<html>502</html>") is None


def test_a_tokenizer_that_fails_after_it_worked_raises_an_error_that_says_what_to_check(openai_server):
    FakeLlamaCpp(openai_server, 8192)
    counter = token_counter(client(openai_server), "local")
    openai_server.route("POST", "/tokenize", lambda request: error_response(500, "tokenizer crashed"))
    with pytest.raises(TokenCountError, match=r"/tokenize failed \(HTTP 500.*check that the server still runs"):
        counter.count(MESSAGES)
    openai_server.route("POST", "/tokenize", lambda request: ScriptedResponse(body={"count": 3}))
    with pytest.raises(TokenCountError, match="answered without tokens"):
        counter.count(MESSAGES)
