"""The parts of llama.cpp's server that fitting talks to, on the scripted server: the window it advertises,
`/apply-template` (a ChatML template unless told another), `/tokenize`, and a chat endpoint that answers HTTP 400
when a request overflows the window.

Its tokenizer is simple and deterministic: one token per `CHARS_PER_TOKEN` characters of the rendered chat
(about what SmolLM2's tokenizer costs on our prompts), unless told another; `/v1/models` names a vocabulary type
(llama.cpp's `meta.vocab_type`) only when told one.
"""

import json
import math
from collections import deque
from collections.abc import Callable

from tests.openai_server import OpenAIServer, RecordedRequest, ScriptedResponse, chat_completion, error_response

CHARS_PER_TOKEN = 1.7


def render_chat(messages: list[dict], tools: list[dict] | None = None) -> str:
    """The chat as a ChatML template renders it (with tool definitions in front when given)."""
    text = f"<|im_start|>system\nTools: {json.dumps(tools)}<|im_end|>\n" if tools else ""
    for message in messages:
        content = message.get("content") or json.dumps(message.get("tool_calls"))
        text += f"<|im_start|>{message['role']}\n{content}<|im_end|>\n"
    return text + "<|im_start|>assistant\n"


def token_count(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def user_text(body: dict) -> str:
    """The first user message of a chat request (the prompt)."""
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


class FakeLlamaCpp:
    """Routes on `server`: `/v1/models` and `/props` advertise `n_ctx` (nothing when None), `/v1/models` also
    `vocab_type` when given; `/apply-template` (with `template` as the chat template) and `/tokenize` (counting with
    `tokenizer`) are offered unless told not to. Chat completions get a 400 like llama.cpp's when the prompt (counted
    with `tokenizer`) and `max_tokens` do not fit the window, else the next of `script`, then `answer(request body)`
    as the content (None: the server's queue)."""

    def __init__(
        self,
        server: OpenAIServer,
        n_ctx: int | None,
        *,
        tokenize: bool = True,
        answer: Callable[[dict], str] | None = lambda body: "{}",
        script: list[ScriptedResponse] = (),
        template: Callable[[list[dict], list[dict] | None], str] = render_chat,
        tokenizer: Callable[[str], int] = token_count,
        vocab_type: int | None = None,
    ):
        self.server = server
        self.template = template
        self.n_ctx = n_ctx
        self.answer = answer
        self.script = deque(script)
        self.chats: list[dict] = []
        self.tokenizer = tokenizer
        meta = {"n_ctx": n_ctx, "n_ctx_train": 8192} if n_ctx else {}
        if vocab_type is not None:
            meta["vocab_type"] = vocab_type
        server.route("GET", "/v1/models", lambda r: ScriptedResponse(body={"data": [{"id": "local", "meta": meta}]}))
        if n_ctx:
            props = {"default_generation_settings": {"n_ctx": n_ctx}}
            server.route("GET", "/props", lambda r: ScriptedResponse(body=props))
        if tokenize:
            server.route("POST", "/apply-template", self._apply_template)
            server.route("POST", "/tokenize", self._tokenize)
        if answer is not None or script:
            server.route("POST", "/v1/chat/completions", self._chat)

    def _apply_template(self, request: RecordedRequest) -> ScriptedResponse:
        return ScriptedResponse(body={"prompt": self.template(request.body["messages"], request.body.get("tools"))})

    def _tokenize(self, request: RecordedRequest) -> ScriptedResponse:
        if "content" not in request.body:
            return error_response(400, "content is required")
        return ScriptedResponse(body={"tokens": list(range(self.tokenizer(request.body["content"])))})

    def _chat(self, request: RecordedRequest) -> ScriptedResponse:
        self.chats.append(request.body)
        prompt = self.tokenizer(self.template(request.body["messages"], request.body.get("tools")))
        if self.n_ctx and prompt + (request.body.get("max_tokens") or 0) > self.n_ctx:
            return error_response(
                400,
                f"request ({prompt} tokens) exceeds the available context size ({self.n_ctx} tokens), "
                "try increasing it",
            )
        if self.script:
            return self.script.popleft()
        return chat_completion(self.answer(request.body), prompt_tokens=prompt)
