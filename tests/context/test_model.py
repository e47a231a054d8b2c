"""What a run learns once about the model: the window, the counter, and what an evidence id costs the answer."""

import openai
import pytest

from generator.bounds import CHARACTERS_PER_OUTPUT_TOKEN
from generator.context.model import ID_SAMPLE, learn_context
from tests.context import fake_llamacpp
from tests.context.fake_llamacpp import FakeLlamaCpp
from tests.openai_server import error_response


def client(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url, api_key="test", max_retries=0, timeout=2)


def test_an_id_costs_what_the_servers_tokenizer_counts(openai_server):
    FakeLlamaCpp(openai_server, 8192)
    context = learn_context(client(openai_server), "local", None)
    assert context.id_characters_per_token == pytest.approx(fake_llamacpp.CHARS_PER_TOKEN, rel=0.02)
    assert "evidence ids cost 1.7" in context.describe()


def test_a_tokenizer_cheaper_than_prose_leaves_the_prose_figure(openai_server, monkeypatch):
    monkeypatch.setattr(fake_llamacpp, "CHARS_PER_TOKEN", 6.0)
    FakeLlamaCpp(openai_server, 8192)
    assert learn_context(client(openai_server), "local", None).id_characters_per_token == CHARACTERS_PER_OUTPUT_TOKEN


def test_without_a_tokenizer_ids_cost_what_prose_does(openai_server):
    FakeLlamaCpp(openai_server, 8192, tokenize=False)
    openai_server.route("POST", "/tokenize", lambda request: error_response(404, "Not Found"))
    context = learn_context(client(openai_server), "local", None)
    assert context.id_characters_per_token == CHARACTERS_PER_OUTPUT_TOKEN
    assert len(ID_SAMPLE) > 100 and "UTF-8 byte" in context.describe()
