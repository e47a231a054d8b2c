"""The OpenAI-compatible client: Chat Completions, retries, structured output, a record of every attempt.

`LLMClient` wraps an injected `openai.OpenAI` (built by the command with `max_retries=0`, so the policy here is
the only one) and serves both plain structured answers (`chat(..., output_schema=Model)`) and tool-calling
conversations (`chat(..., tools=[...])`). It never sees or records the API key.

Answers are streamed (`generator/streaming.py`), so the SDK client's read timeout (`--request-timeout`) is the
longest the server may stay silent, not a cap on the whole answer. Per request it adapts to what the server
accepts, and writes each adaptation into `ChatResult.notes`: `json_schema` -> `json_object` -> no
`response_format` (also when a 400 names a schema bound such as maxItems); `max_tokens` -> `max_completion_tokens`;
`seed`, `temperature`, `store` and `stream_options` are dropped when a 400 names them, and streaming is turned off
when one names `stream`. Nothing is remembered between requests, so a record depends only on the request and the
server.
"""

import email.utils
import functools
import json
import random
import re
import time
from collections.abc import Callable
from typing import Any, Literal

import openai
from pydantic import BaseModel, ConfigDict

from generator.endpoints_pool import ENDPOINT_EXTENSION, endpoint_name
from generator.redaction import redact_text
from generator.streaming import InFlight, StreamedAnswer, StreamedToolCall, collect

ErrorKind = Literal[
    "timeout",
    "connection",
    "rate_limit",
    "server",
    "auth",
    "bad_request",
    "context_overflow",
    "not_found",
    "redirect",
    "http",
    "truncated",
]
RETRYABLE: frozenset[str] = frozenset({"timeout", "connection", "rate_limit", "server"})
RESPONSE_FORMATS = ("json_schema", "json_object", "none")
DROPPABLE_PARAMS = ("seed", "temperature", "store", "stream_options")
SCHEMA_BOUNDS = ("maxitems", "maxlength", "minitems", "minlength")
CONTEXT_OVERFLOW = re.compile(r"context (size|length|window)|exceeds the available context|too many tokens", re.I)


class LLMSettings(BaseModel):
    """What is sent with every request, and how failed requests are retried."""

    model_config = ConfigDict(frozen=True)

    model: str
    temperature: float | None = 0.0
    seed: int | None = None
    max_output_tokens: int | None = 16000
    retry_limit: int = 4
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0
    retry_after_max_s: float = 300.0


class CallAttempt(BaseModel):
    """One HTTP request: how it went, what it cost, what came back (on failure too)."""

    attempt: int
    status: Literal["ok", "error"]
    http_status: int | None = None
    error_kind: ErrorKind | None = None
    error: str | None = None
    latency_ms: int
    input_tokens: int | None = None
    output_tokens: int | None = None
    finish_reason: str | None = None
    raw_text: str | None = None
    response_format: str | None = None
    wait_before_retry_s: float | None = None
    endpoint: str | None = None  # the base URL that answered (or failed), as the endpoint pool chose it


class ToolCall(BaseModel):
    """A function call the model asked for; `arguments` is the raw JSON string as sent by the model."""

    id: str
    name: str
    arguments: str


class ChatResult(BaseModel):
    """The final answer of one `chat` call and every attempt it took."""

    content: str | None
    tool_calls: list[ToolCall]
    finish_reason: str | None
    attempts: list[CallAttempt]
    notes: list[str]
    params_sent: dict[str, Any]

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"

    def assistant_message(self) -> dict[str, Any]:
        """The answer as a message to append to the conversation (for tool loops and repair turns)."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in self.tool_calls
            ]
        return message


class LLMError(Exception):
    """A request that failed for good: a non-retryable status, or retries exhausted. Carries the attempts."""

    def __init__(self, message: str, kind: ErrorKind, attempts: list[CallAttempt], notes: list[str]):
        super().__init__(message)
        self.kind = kind
        self.attempts = attempts
        self.notes = notes


class LLMClient:
    """Chat Completions with our retry policy. `sleep` and `rng` are injectable so tests need not wait."""

    def __init__(
        self,
        client: openai.OpenAI,
        settings: LLMSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        on_attempt: Callable[[CallAttempt], None] | None = None,
        in_flight: InFlight | None = None,
        secret: str | None = None,
        endpoints: list[str] | None = None,
    ):
        self._client = client
        self._endpoints = endpoints
        self._secret = secret
        self.settings = settings
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._on_attempt = on_attempt
        self.in_flight = in_flight or InFlight()

    @property
    def sdk(self) -> openai.OpenAI:
        """The SDK client requests go through (its base URL, key and timeout), e.g. to ask the server its window."""
        return self._client

    @property
    def endpoints(self) -> list[str]:
        """The base URLs requests may go to (the endpoint pool's), without any user or password part."""
        return [endpoint_name(url) for url in self._endpoints or [str(self._client.base_url)]]

    @property
    def endpoint(self) -> str:
        """The base URL requests go to; several, comma-separated, for a pool of endpoints."""
        return ", ".join(self.endpoints)

    def chat(
        self,
        messages: list[dict[str, Any]],
        *,
        output_schema: type[BaseModel] | None = None,
        schema: dict[str, Any] | None = None,
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        max_tokens: int | None = None,
    ) -> ChatResult:
        """Send `messages` until an answer arrives; raise `LLMError` when none will.

        `schema` is the JSON schema sent for `output_schema` when given (e.g. with bounds written in), else the
        model's strict schema; `max_tokens` overrides the settings' output limit (a fitted request's budget).
        A truncated answer (`finish_reason == "length"`) is returned, not raised: check `result.truncated`
        (or use `parse_json_answer`, which refuses it).
        """
        params = self._initial_params(tools, tool_choice, max_tokens)
        formats = list(RESPONSE_FORMATS) if output_schema else ["none"]
        attempts: list[CallAttempt] = []
        notes: list[str] = []
        retries = 0
        while True:
            request = dict(params)
            if formats[0] != "none":
                request["response_format"] = _response_format(formats[0], output_schema, schema)
            started = time.monotonic()
            try:
                with self.in_flight.request():
                    answer, endpoint = self._send(messages, request)
            except (openai.APIStatusError, openai.APIConnectionError) as exc:
                attempt = _failed_attempt(len(attempts) + 1, exc, started, formats[0])
                attempt.endpoint = _endpoint_of(getattr(exc, "request", None))
                attempts.append(attempt)
                adaptation = _adapt(exc, params, formats)
                if adaptation:
                    notes.append(adaptation)
                    self._report(attempt)
                    continue
                if attempt.error_kind not in RETRYABLE or retries >= self.settings.retry_limit:
                    self._report(attempt)
                    message = _final_message(attempt, retries, self._client.timeout)
                    raise LLMError(message, attempt.error_kind, attempts, notes) from exc
                attempt.wait_before_retry_s = self._wait_s(retries, exc)
                self._report(attempt)
                self._sleep(attempt.wait_before_retry_s)
                retries += 1
                continue
            attempt = _ok_attempt(len(attempts) + 1, answer, started, formats[0])
            attempt.endpoint = endpoint
            attempts.append(attempt)
            self._report(attempt)
            return ChatResult(
                content=answer.content,
                tool_calls=[ToolCall(id=c.id, name=c.name, arguments=c.arguments) for c in answer.tool_calls],
                finish_reason=answer.finish_reason,
                attempts=attempts,
                notes=notes,
                params_sent={**params, "response_format": formats[0]} if output_schema else params,
            )

    def _send(self, messages: list[dict[str, Any]], request: dict[str, Any]) -> tuple[StreamedAnswer, str | None]:
        """One request, streamed unless streaming was turned off; the answer as a `StreamedAnswer` either way, and
        the endpoint that gave it."""
        raw = self._client.chat.completions.with_raw_response.create(
            model=self.settings.model, messages=messages, **request
        )
        endpoint = _endpoint_of(raw.http_request)
        reply = raw.parse()
        if request.get("stream"):
            with reply:
                answer = collect(reply)
            answer.content = redact_text(answer.content, self._secret)
            for call in answer.tool_calls:
                call.arguments = redact_text(call.arguments, self._secret)
            return answer, endpoint
        choice = reply.choices[0] if reply.choices else None
        message = choice.message if choice else None
        answer = StreamedAnswer(
            content=message.content if message else None,
            tool_calls=[
                StreamedToolCall(id=c.id, name=c.function.name, arguments=c.function.arguments)
                for c in (message.tool_calls if message else None) or []
            ],
            finish_reason=choice.finish_reason if choice else None,
            prompt_tokens=reply.usage.prompt_tokens if reply.usage else None,
            completion_tokens=reply.usage.completion_tokens if reply.usage else None,
        )
        return answer, endpoint

    def _initial_params(
        self, tools: list[dict] | None, tool_choice: str | dict | None, max_tokens: int | None
    ) -> dict[str, Any]:
        s = self.settings
        params: dict[str, Any] = {"store": False, "stream": True, "stream_options": {"include_usage": True}}
        if s.temperature is not None:
            params["temperature"] = s.temperature
        if s.seed is not None:
            params["seed"] = s.seed
        if max_tokens is not None or s.max_output_tokens is not None:
            params["max_tokens"] = max_tokens if max_tokens is not None else s.max_output_tokens
        if tools:
            params["tools"] = tools
        if tool_choice is not None:
            params["tool_choice"] = tool_choice
        return params

    def _wait_s(self, retries: int, exc: Exception) -> float:
        """Retry-After when the server gives one, else exponential backoff with jitter (50-100%)."""
        retry_after = _retry_after_s(exc)
        if retry_after is not None:
            return min(retry_after, self.settings.retry_after_max_s)
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_initial_s * 2**retries)
        return ceiling * (0.5 + self._rng.random() / 2)

    def _report(self, attempt: CallAttempt) -> None:
        if self._on_attempt:
            self._on_attempt(attempt)


class AnswerError(ValueError):
    """An answer that cannot be read as JSON (truncated, empty, or not JSON)."""


def parse_json_answer(result: ChatResult) -> Any:
    """The answer's JSON value; code fences and text around one JSON object are tolerated."""
    if result.truncated:
        raise AnswerError("the answer was cut off at the output token limit (finish_reason=length) and was not parsed")
    text = (result.content or "").strip()
    if not text:
        raise AnswerError("the answer was empty")
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1).strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError as first_error:
        start, end = text.find("{"), text.rfind("}")
        if 0 <= start < end:
            try:
                return json.loads(text[start : end + 1])
            except json.JSONDecodeError:
                pass
        raise AnswerError(f"the answer is not valid JSON: {first_error}") from None


@functools.cache
def strict_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the shape strict structured output expects (all keys required, no extras).

    Built once per model class (about 4 ms each); callers must not mutate the returned dict."""
    schema = model.model_json_schema()

    def tighten(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node["additionalProperties"] = False
                node["required"] = list(node["properties"])
            if isinstance(node.get("title"), str):
                del node["title"]
            for value in node.values():
                tighten(value)
        elif isinstance(node, list):
            for value in node:
                tighten(value)

    tighten(schema)
    return schema


def _response_format(kind: str, model: type[BaseModel] | None, schema: dict[str, Any] | None) -> dict[str, Any]:
    if kind == "json_schema" and model is not None:
        sent = schema if schema is not None else strict_json_schema(model)
        return {"type": "json_schema", "json_schema": {"name": model.__name__, "strict": True, "schema": sent}}
    return {"type": "json_object"}


def _adapt(exc: Exception, params: dict[str, Any], formats: list[str]) -> str | None:
    """Change the request when a 400 says the server rejects one of our optional parameters."""
    if not isinstance(exc, openai.BadRequestError):
        return None
    said = f"{getattr(exc, 'param', '') or ''} {exc.message}".lower()
    names_schema = any(bound in said for bound in SCHEMA_BOUNDS)
    if len(formats) > 1 and ("response_format" in said or formats[0] in said or names_schema):
        rejected = formats.pop(0)
        return f"server rejected response_format {rejected}; using {formats[0]}"
    if params.get("stream") and re.search(r"\bstream\b", said):
        del params["stream"]
        params.pop("stream_options", None)
        return "server rejected streaming; asked for whole answers"
    if "max_tokens" in params and "max_tokens" in said and "max_completion_tokens" not in params:
        params["max_completion_tokens"] = params.pop("max_tokens")
        return "server rejected max_tokens; sent max_completion_tokens"
    for name in DROPPABLE_PARAMS:
        if name in params and re.search(rf"\b{name}\b", said):
            del params[name]
            return f"server rejected {name}; dropped it"
    return None


def _failed_attempt(number: int, exc: Exception, started: float, response_format: str) -> CallAttempt:
    status = getattr(exc, "status_code", None)
    body = getattr(getattr(exc, "response", None), "text", None)
    return CallAttempt(
        attempt=number,
        status="error",
        http_status=status,
        error_kind=_error_kind(exc),
        error=_error_text(exc),
        latency_ms=_ms_since(started),
        raw_text=body,
        response_format=response_format,
    )


def _error_text(exc: Exception) -> str:
    """The error, naming the URL a connection failed to reach or a redirect pointed to (never followed)."""
    text = f"{type(exc).__name__}: {getattr(exc, 'message', str(exc))}"
    request = getattr(exc, "request", None)
    if isinstance(exc, openai.APIConnectionError) and request is not None:
        url = request.url
        cause = f": {exc.__cause__}" if exc.__cause__ and str(exc.__cause__) else ""
        text += f" ({request.method} {url.scheme}://{url.netloc.decode('ascii')}{url.path}{cause})"
    elif isinstance(exc, openai.APIStatusError) and 300 <= exc.status_code < 400:
        location = exc.response.headers.get("location", "no location given")
        text += f" (a redirect to {location}, not followed: the prompt was not sent there)"
    return text


def _ok_attempt(number: int, answer: StreamedAnswer, started: float, response_format: str) -> CallAttempt:
    return CallAttempt(
        attempt=number,
        status="ok",
        http_status=200,
        latency_ms=_ms_since(started),
        input_tokens=answer.prompt_tokens,
        output_tokens=answer.completion_tokens,
        finish_reason=answer.finish_reason,
        raw_text=answer.content,
        response_format=response_format,
    )


def _error_kind(exc: Exception) -> ErrorKind:
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    status = getattr(exc, "status_code", 0)
    if 300 <= status < 400:
        return "redirect"
    if status in (408, 409):
        return "timeout" if status == 408 else "server"
    if status == 429:
        return "rate_limit"
    if status >= 500:
        return "server"
    if status in (401, 403):
        return "auth"
    if status == 404:
        return "not_found"
    if status in (400, 422):
        return "context_overflow" if CONTEXT_OVERFLOW.search(getattr(exc, "message", "")) else "bad_request"
    return "http"


def _final_message(attempt: CallAttempt, retries: int, timeout: Any) -> str:
    advice = {
        "auth": "check the API key (--api-key-env) and that the endpoint accepts it",
        "not_found": "check --base-url (it usually ends in /v1) and --model",
        "bad_request": "the server refused the request",
        "redirect": "the endpoint redirected the request elsewhere; give the address it redirects to as --base-url",
        "context_overflow": "the prompt does not fit the model's context window: pass the server's window as "
        "--context-window so prompts are fitted to it",
    }.get(attempt.error_kind or "")
    if advice:
        return f"{advice} (HTTP {attempt.http_status}: {attempt.error})"
    if attempt.error_kind == "timeout":
        silence = getattr(timeout, "read", timeout)
        return (
            f"gave up after {retries + 1} attempts: the server sent nothing for {silence} s "
            "(--request-timeout; raise it for a slow server)"
        )
    return f"gave up after {retries + 1} attempts; last error: {attempt.error}"


def _retry_after_s(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    headers = response.headers if response is not None else {}
    if milliseconds := headers.get("retry-after-ms"):
        try:
            return float(milliseconds) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if email.utils.parsedate(value) else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def _endpoint_of(request: Any) -> str | None:
    """The endpoint the pool sent `request` to (`generator.endpoints_pool`); None for a request it did not send."""
    return request.extensions.get(ENDPOINT_EXTENSION) if request is not None else None


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
