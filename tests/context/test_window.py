"""Learning the context window from a server, through the real openai client against scripted servers."""

import openai

from generator.context.window import discover_window, server_root
from tests.context.fake_llamacpp import FakeLlamaCpp
from tests.openai_server import ScriptedResponse


def client(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url, api_key="test", max_retries=0, timeout=2)


def test_vllm_window_is_max_model_len_of_the_model_in_v1_models(openai_server):
    models = {"data": [{"id": "other", "max_model_len": 4096}, {"id": "Qwen/Qwen3-8B", "max_model_len": 32768}]}
    openai_server.route("GET", "/v1/models", lambda request: ScriptedResponse(body=models))
    window = discover_window(client(openai_server), "Qwen/Qwen3-8B")
    assert (window.tokens, window.source) == (32768, "GET /v1/models max_model_len")


def test_llamacpp_window_is_the_smaller_of_meta_n_ctx_and_the_slot_context_in_props(openai_server):
    FakeLlamaCpp(openai_server, 16384)
    props = {"default_generation_settings": {"n_ctx": 8192}}  # --parallel 2: each slot holds half
    openai_server.route("GET", "/props", lambda request: ScriptedResponse(body=props))
    window = discover_window(client(openai_server), "any-name")
    assert (window.tokens, window.source) == (8192, "GET /props default_generation_settings.n_ctx")
    assert [r.path for r in openai_server.side_requests] == ["/v1/models", "/props"]


def test_context_window_option_wins_and_asks_the_server_nothing(openai_server):
    window = discover_window(client(openai_server), "m", configured=12000)
    assert (window.tokens, window.source) == (12000, "--context-window") and openai_server.side_requests == []


def test_a_server_that_does_not_say_leaves_the_window_unknown(openai_server):
    openai_server.route("GET", "/v1/models", lambda request: ScriptedResponse(body={"data": [{"id": "m"}]}))
    window = discover_window(client(openai_server), "m")
    assert window.tokens is None and not window.known and "does not say" in window.source


def test_an_unreachable_server_leaves_the_window_unknown():
    unreachable = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="x", max_retries=0, timeout=1)
    assert discover_window(unreachable, "m").tokens is None


def test_server_root_drops_the_v1_suffix():
    assert server_root("http://127.0.0.1:8080/v1/") == "http://127.0.0.1:8080"
    assert server_root("http://host/prefix/v1") == "http://host/prefix"
