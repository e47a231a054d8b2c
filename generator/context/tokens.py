"""Counting a request's prompt tokens: with the server's own tokenizer when it offers one, else an estimate
that over-counts.

- llama.cpp: `POST /apply-template {"messages", "tools"}` renders the chat as the model will see it (chat
  template, special tokens, tool definitions), `POST /tokenize {"content"}` tokenizes that text. The template is
  learned once per message shape (`generator/context/template.py`), so a count is mostly one call, `/tokenize`.
  A long prompt of a BPE vocabulary (`/v1/models` `meta.vocab_type` 2) is tokenized in two halves at once (the
  server tokenizes each request on its own thread), cut at a newline between two characters that are not
  whitespace: BPE tokenizers first split a text with a pattern that ends a piece at such a newline and merge only
  within pieces, so the halves' counts add up to the whole's exactly. The first split count is checked against
  the whole's; if they differ, the run counts whole prompts from then on.
- vLLM: `POST /tokenize {"model", "messages", "tools"}` does both at once and returns `count`.
- Otherwise `estimate_tokens`: one token per UTF-8 byte of every message and tool definition, plus a fixed
  allowance per message for the chat template. Tokenizers merge bytes into tokens, so this never counts fewer
  tokens than a real tokenizer; our prompts cost 1.5-1.9 characters per token with SmolLM2's tokenizer, so the
  estimate leaves about half of the window unused. A server's `/tokenize` is always worth having.
- `least_tokens`, the other way round: a count no tokenizer goes below, one token per `MOST_CHARS_PER_TOKEN`
  characters, so that a prompt far over the window need not be counted to know it.
- `beginning_over`: a prompt's beginning that likely holds more tokens than a limit, so that counting it (a
  tokenizer never gives a text's beginning more tokens than the whole) proves a long prompt over the limit at
  a part of the cost of counting all of it.
"""

import json
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import httpx2
import openai

from generator.context.template import LearnedTemplate
from generator.context.window import model_entry, server_root

TOKENIZE_TIMEOUT_S = 30.0
ESTIMATE_TOKENS_PER_MESSAGE = 16  # role markers and separators of any chat template we know, with room to spare
ESTIMATE_TOKENS_FOR_TOOLS = 512  # the text a template puts around tool definitions ("You may call ...")
PROBE = [{"role": "user", "content": "hello"}]
# More characters per token than any tokenizer we know averages over a text: the largest vocabularies reach 4-5 on
# English prose; our prompts (ids, numbers, clinical shorthand) cost 1.3-2.4 with SmolLM2's.
MOST_CHARS_PER_TOKEN = 6
# A beginning counted to prove a prompt over a limit holds this many characters per token of the limit: more than
# our rows cost with SmolLM2 (1.3-1.9), so the beginning is mostly over the limit by itself; it is counted only
# when the prompt is at least BEGINNING_WORTH times as long (else counting all of it costs little more).
BEGINNING_CHARS_PER_TOKEN = 2
BEGINNING_WORTH = 1.25
# A rendered prompt this long is tokenized in halves at once: half of it costs llama.cpp's tokenizer more than a
# call (about 0.65 us a character against 1.3 ms a call, measured here).
HALVING_CHARS = 8_000
BPE_VOCAB = 2  # llama.cpp's `meta.vocab_type` for byte-pair encoding
ID_BYTES = b"0123456789, \n"  # all a list of token ids is made of


class TokenCountError(Exception):
    """The server's tokenizer failed on a request it accepted before; the message says what to do."""


class TokenCounter(Protocol):
    """Counts the prompt tokens of a chat request; `method` names how, for the records."""

    method: str

    def count(self, messages: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]] | None = None) -> int: ...


class EstimatedCounter:
    """No server tokenizer: one token per UTF-8 byte, plus the template allowances (never under-counts)."""

    method = "estimate: 1 token per UTF-8 byte + 16 per message (+512 with tools)"

    def count(self, messages: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]] | None = None) -> int:
        return estimate_tokens(messages, tools)


class LlamaCppCounter:
    """llama.cpp's server: the chat rendered by its template (`/apply-template`, learned once per message shape),
    tokenized by `/tokenize`, a long prompt of a BPE vocabulary in two halves at once."""

    method = "llama.cpp /apply-template + /tokenize"  # what is counted; the count is the same spliced or halved

    def __init__(self, client: openai.OpenAI, model: str | None = None):
        self._client = client.with_options(timeout=TOKENIZE_TIMEOUT_S, max_retries=0)
        self._root = server_root(client.base_url)
        self._model = model
        self._template = LearnedTemplate(self._apply_template)
        self._halving: bool | None = None  # None: not yet known; True once a halved count matched the whole's
        self._checked = threading.Lock()
        self._halves = ThreadPoolExecutor(max_workers=4, thread_name_prefix="tokenize-half")

    def count(self, messages: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]] | None = None) -> int:
        prompt = self._template.render(list(messages), list(tools) if tools else None)
        cut = halving_cut(prompt) if len(prompt) >= HALVING_CHARS and self._halving is not False else None
        if cut is not None and self._halving is None:
            with self._checked:
                if self._halving is None:
                    return self._check_halving(prompt, cut)
        if cut is None or not self._halving:
            return self._tokenize(prompt, add_special=True)
        return self._count_halves(prompt, cut)

    def _count_halves(self, prompt: str, cut: int) -> int:
        second = self._halves.submit(self._tokenize, prompt[cut:], add_special=False)
        return self._tokenize(prompt[:cut], add_special=True) + second.result()

    def _check_halving(self, prompt: str, cut: int) -> int:
        """The whole prompt's count; halving is taken up when the vocabulary is BPE and the halves agree."""
        whole = self._tokenize(prompt, add_special=True)
        meta = model_entry(self._client, self._model).get("meta")
        self._halving = (
            isinstance(meta, dict) and meta.get("vocab_type") == BPE_VOCAB and self._count_halves(prompt, cut) == whole
        )
        return whole

    def _tokenize(self, text: str, *, add_special: bool) -> int:
        body = {"content": text, "add_special": add_special}
        answer = _post(self._client, self._root + "/tokenize", body, cast_to=httpx2.Response).content
        tokens = listed_tokens(answer)
        if tokens is None:
            raise TokenCountError(f"{self._root}/tokenize answered without tokens: check the server.")
        return tokens

    def _apply_template(self, messages: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]] | None) -> str:
        body: dict[str, Any] = {"messages": list(messages)}
        if tools:
            body["tools"] = list(tools)
        rendered = _post(self._client, self._root + "/apply-template", body)
        prompt = rendered.get("prompt") if isinstance(rendered, dict) else None
        if not isinstance(prompt, str):
            raise TokenCountError(f"{self._root}/apply-template answered without a prompt: check the server.")
        return prompt


class VllmCounter:
    """vLLM: `/tokenize` with the chat messages, rendered with the model's chat template."""

    method = "vLLM /tokenize (messages)"

    def __init__(self, client: openai.OpenAI, model: str):
        self._client = client.with_options(timeout=TOKENIZE_TIMEOUT_S, max_retries=0)
        self._root = server_root(client.base_url)
        self._model = model

    def count(self, messages: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]] | None = None) -> int:
        body: dict[str, Any] = {"model": self._model, "messages": list(messages), "add_generation_prompt": True}
        if tools:
            body["tools"] = list(tools)
        answer = _post(self._client, self._root + "/tokenize", body)
        if not isinstance(answer, dict) or not isinstance(answer.get("count"), int):
            raise TokenCountError(f"{self._root}/tokenize answered without a count: check the server.")
        return answer["count"]


def token_counter(client: openai.OpenAI, model: str) -> TokenCounter:
    """The best counter the server offers, found by asking each kind to count a one-line chat."""
    for counter in (LlamaCppCounter(client, model), VllmCounter(client, model)):
        try:
            if counter.count(PROBE) > 0:
                return counter
        except (TokenCountError, openai.APIStatusError, openai.APIConnectionError, openai.APIResponseValidationError):
            continue
    return EstimatedCounter()


def estimate_tokens(messages: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]] | None = None) -> int:
    """An upper bound on the prompt tokens of any tokenizer: UTF-8 bytes plus template allowances."""
    total = ESTIMATE_TOKENS_PER_MESSAGE  # the generation prompt ("<|im_start|>assistant")
    for message in messages:
        total += ESTIMATE_TOKENS_PER_MESSAGE + len(_message_text(message).encode("utf-8"))
    if tools:
        total += ESTIMATE_TOKENS_FOR_TOOLS + len(json.dumps(list(tools), ensure_ascii=False).encode("utf-8"))
    return total


def least_tokens(messages: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]] | None = None) -> int:
    """A lower bound on the prompt tokens of any tokenizer: one per `MOST_CHARS_PER_TOKEN` characters of the
    messages and tool definitions (the chat template's own tokens come on top)."""
    characters = sum(len(_message_text(message)) for message in messages)
    if tools:
        characters += len(json.dumps(list(tools), ensure_ascii=False))
    return characters // MOST_CHARS_PER_TOKEN


def beginning_over(messages: Sequence[dict[str, Any]], tokens: int) -> list[dict[str, Any]] | None:
    """The messages (text contents) cut at the end of the line holding their `BEGINNING_CHARS_PER_TOKEN` x
    `tokens`-th character; None when they are shorter than `BEGINNING_WORTH` times that."""
    characters = BEGINNING_CHARS_PER_TOKEN * tokens
    texts = [message["content"] for message in messages]
    if sum(map(len, texts)) < BEGINNING_WORTH * characters:
        return None
    seen = 0
    for index, text in enumerate(texts):
        if seen + len(text) > characters:
            end = text.find("\n", characters - seen)
            end = len(text) if end == -1 else end + 1
            return [*messages[:index], {**messages[index], "content": text[:end]}]
        seen += len(text)
    return None


def halving_cut(text: str) -> int | None:
    """Where to cut `text` in two for counting: after the first newline from its middle on that sits between two
    characters that are not whitespace (None when there is none)."""
    start = max(1, len(text) // 2)
    while (newline := text.find("\n", start, len(text) - 1)) != -1:
        if not text[newline - 1].isspace() and not text[newline + 1].isspace():
            return newline + 1
        start = newline + 1
    return None


def listed_tokens(answer: bytes) -> int | None:
    """How many tokens `/tokenize`'s answer lists (None: it lists none). Its usual form, `{"tokens":[ids]}`, is
    read by counting commas: decoding tens of thousands of ids costs more than the server's reply takes."""
    head, _, rest = answer.partition(b"[")
    ids, _, tail = rest.partition(b"]")
    if head.replace(b" ", b"") == b'{"tokens":' and tail.strip() == b"}" and not ids.translate(None, ID_BYTES):
        return ids.count(b",") + 1 if ids.strip() else 0
    try:
        decoded = json.loads(answer)
    except ValueError:
        return None
    tokens = decoded.get("tokens") if isinstance(decoded, dict) else None
    return len(tokens) if isinstance(tokens, list) else None


def _message_text(message: dict[str, Any]) -> str:
    """What a template renders of a message: its content, and its tool calls as JSON."""
    content = message.get("content") or ""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    if message.get("tool_calls"):
        text += json.dumps(message["tool_calls"], ensure_ascii=False)
    return text


def _post(client: openai.OpenAI, url: str, body: dict[str, Any], cast_to: type = object) -> Any:
    try:
        return client.post(url, cast_to=cast_to, body=body)
    except openai.APIStatusError as error:
        raise TokenCountError(
            f"{url} failed (HTTP {error.status_code}: {error.message}): check that the server still runs."
        ) from error
