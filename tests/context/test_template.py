"""llama.cpp counts with the chat template learned once per message shape: exactly the server's rendering, one
call (`/tokenize`) per count once a shape is learned, and the server's two calls wherever splicing is not exact."""

import json

import openai
import pytest

from generator.context.tokens import LlamaCppCounter
from tests.context.fake_llamacpp import FakeLlamaCpp, render_chat, token_count

TOOLS = [{"type": "function", "function": {"name": "imaging", "parameters": {"type": "object"}}}]
PROMPTS = [
    [
        {"role": "system", "content": "You write a conversation.\nRules: cite ids."},
        {"role": "user", "content": f'Admission ADM#{n}.\n\n## labs: eid|t|name\nLAB#{n}|H+0{n}:00|Ödem "{n}"\n'},
    ]
    for n in range(1, 5)
]
REPAIR = [
    *PROMPTS[0],
    {"role": "assistant", "content": '{"turns": []}'},
    {"role": "user", "content": "Your answer was not valid:\n- turns: empty"},
]
TEMPLATE, TOKENIZE = "/apply-template", "/tokenize"
LEARN = [TEMPLATE, TEMPLATE, TOKENIZE]  # the sentinel rendering, the server's rendering, the count


def client(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url, api_key="test", max_retries=0, timeout=2)


def counted(server, counter, messages, tools=None) -> tuple[int, list[str], str]:
    """The count, the paths of the requests it made, and the text it tokenized."""
    before = len(server.side_requests)
    tokens = counter.count(messages, tools)
    made = server.side_requests[before:]
    return tokens, [request.path for request in made], made[-1].body["content"]


def test_spliced_counts_are_the_servers_rendering_tokenized(openai_server):
    FakeLlamaCpp(openai_server, 8192)
    counter = LlamaCppCounter(client(openai_server))
    chats = [*((p, None) for p in PROMPTS), *((p, TOOLS) for p in PROMPTS), *((p[1:], None) for p in PROMPTS)]
    for messages, tools in [*chats, (REPAIR, None), (REPAIR, None)]:
        tokens, _, tokenized = counted(openai_server, counter, messages, tools)
        assert tokenized == render_chat(messages, tools)
        assert tokens == token_count(render_chat(messages, tools))


def test_after_the_first_count_of_a_shape_a_count_is_one_call_to_tokenize(openai_server):
    FakeLlamaCpp(openai_server, 8192)
    counter = LlamaCppCounter(client(openai_server))
    assert [counted(openai_server, counter, prompt)[1] for prompt in PROMPTS] == [LEARN] + [[TOKENIZE]] * 3
    assert [counted(openai_server, counter, prompt, TOOLS)[1] for prompt in PROMPTS] == [LEARN] + [[TOKENIZE]] * 3
    assert counted(openai_server, counter, PROMPTS[0])[1] == [TOKENIZE]


def trimming(messages, tools):
    return render_chat([{**m, "content": m["content"].strip()} for m in messages], tools)


def escaping(messages, tools):
    return render_chat([{**m, "content": json.dumps(m["content"])} for m in messages], tools)


def sized(messages, tools):
    return render_chat([{**m, "content": f"({len(m['content'])} characters) {m['content']}"} for m in messages], tools)


def repeating(messages, tools):
    return render_chat(messages, tools) + f"Remember: {messages[0]['content']}"


def thinking(messages, tools):
    return render_chat([{**m, "content": m["content"].split("</think>")[-1]} for m in messages], tools)


def padded(prompt, whitespace):
    return [{**m, "content": whitespace + m["content"].strip() + whitespace} for m in prompt]


def with_thoughts(prompt):
    return [*prompt, {"role": "assistant", "content": "<think>Labs first.</think>Done"}, prompt[-1]]


@pytest.mark.parametrize(
    ("template", "prompts", "calls"),
    [
        # the sentinel's whitespace is trimmed: never spliced, every count the server's (its first learns nothing)
        (trimming, [PROMPTS[0], PROMPTS[1], PROMPTS[2]], [LEARN, [TEMPLATE, TOKENIZE], [TEMPLATE, TOKENIZE]]),
        # without whitespace at the ends trimming changes nothing: spliced; other whitespace is another shape
        (
            trimming,
            [padded(PROMPTS[0], ""), padded(PROMPTS[1], ""), padded(PROMPTS[2], " \n"), padded(PROMPTS[3], " \n")],
            [LEARN, [TOKENIZE], LEARN, [TEMPLATE, TOKENIZE]],
        ),
        (escaping, PROMPTS[:3], [LEARN, [TEMPLATE, TOKENIZE], [TEMPLATE, TOKENIZE]]),  # the sentinel is not found
        (sized, PROMPTS[:3], [LEARN, [TEMPLATE, TOKENIZE], [TEMPLATE, TOKENIZE]]),  # splice and server disagree
        (repeating, PROMPTS[:3], [LEARN, [TEMPLATE, TOKENIZE], [TEMPLATE, TOKENIZE]]),  # a sentinel twice
        # a content with a reasoning block is never spliced; the others of its shape are
        (
            thinking,
            [PROMPTS[0], with_thoughts(PROMPTS[0]), with_thoughts(PROMPTS[1]), PROMPTS[1]],
            [LEARN, [TEMPLATE, TOKENIZE], [TEMPLATE, TOKENIZE], [TOKENIZE]],
        ),
    ],
)
def test_a_template_that_changes_contents_is_rendered_by_the_server_and_counted_exactly(
    openai_server, template, prompts, calls
):
    FakeLlamaCpp(openai_server, 8192, template=template)
    counter = LlamaCppCounter(client(openai_server))
    made = []
    for prompt in prompts:
        tokens, paths, tokenized = counted(openai_server, counter, prompt)
        assert tokenized == template(prompt, None)
        assert tokens == token_count(template(prompt, None))
        made.append(paths)
    assert made == calls
