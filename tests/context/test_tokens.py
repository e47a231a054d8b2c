"""Counting prompt tokens with the server's tokenizer (llama.cpp, vLLM) or the over-counting estimate."""

import openai

from generator.context.tokens import (
    EstimatedCounter,
    LlamaCppCounter,
    VllmCounter,
    beginning_over,
    estimate_tokens,
    least_tokens,
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
