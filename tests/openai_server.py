"""A scripted OpenAI-compatible HTTP server on 127.0.0.1 (pytest plugin; fixture `openai_server`).

Each test queues the answers it wants (`server.push(...)`), points a real `openai.OpenAI` at `server.url`,
and reads back what was sent (`server.requests`). When the queue is empty the `fallback` callable answers,
which by default fails loudly with HTTP 599 so a test never passes by accident. Fixture `proxy`: a second
server that every proxy variable names.

    server.push(chat_completion('{"a": 1}'), error_response(429, "slow down", headers={"retry-after": "0"}))
    client = openai.OpenAI(base_url=server.url, api_key="test", max_retries=0, timeout=2)

Fixed endpoints answer every request to their path without touching the queue (GET and POST):
`server.route("GET", "/v1/models", lambda request: ScriptedResponse(body={...}))`. Only chat completions come
from the queue and are recorded in `server.requests`; any other path is answered by its route, else 404, and
recorded in `server.side_requests`. A request with
`"stream": true` gets its scripted completion as server-sent events (one chunk per content piece or tool call,
then the usage, then `[DONE]`), or `stream_chunks` as given.

Also usable outside pytest (benchmarks): `with OpenAIServer(fallback=lambda request: ...) as server: ...`.
"""

import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class ScriptedResponse:
    """One scripted HTTP answer: status, JSON (dict) or raw (str) body, delay before answering, headers."""

    status: int = 200
    body: dict[str, Any] | str = field(default_factory=dict)
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    stream_chunks: list[dict[str, Any]] | None = None
    chunk_delay_s: float = 0.0


@dataclass
class RecordedRequest:
    """What the client sent: method, path, headers (lower-case names) and the parsed JSON body."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


def chat_completion(
    content: str | None = None,
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    finish_reason: str | None = None,
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
    delay_s: float = 0.0,
) -> ScriptedResponse:
    """A 200 Chat Completions answer. `tool_calls` items: {"id", "name", "arguments" (str or dict)}."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": call["id"],
                "type": "function",
                "function": {
                    "name": call["name"],
                    "arguments": call["arguments"]
                    if isinstance(call["arguments"], str)
                    else json.dumps(call["arguments"]),
                },
            }
            for call in tool_calls
        ]
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": finish_reason or ("tool_calls" if tool_calls else "stop"),
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return ScriptedResponse(body=body, delay_s=delay_s)


def error_response(
    status: int, message: str, *, param: str | None = None, headers: dict[str, str] | None = None
) -> ScriptedResponse:
    """An error in OpenAI's shape: {"error": {"message", "type", "param", "code"}}."""
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}}
    return ScriptedResponse(status=status, body=body, headers=headers or {})


def stream_events(body: dict[str, Any]) -> list[dict[str, Any]]:
    """A non-streamed completion as the chunks a streaming server sends: content, tool calls, finish, usage."""
    choice = body["choices"][0]
    message = choice["message"]
    base = {key: body[key] for key in ("id", "created", "model")} | {"object": "chat.completion.chunk"}
    deltas: list[dict[str, Any]] = [{"role": "assistant"}]
    if message.get("content"):
        text = message["content"]
        middle = len(text) // 2
        deltas += [{"content": text[:middle]}, {"content": text[middle:]}]
    for index, call in enumerate(message.get("tool_calls") or []):
        arguments = call["function"]["arguments"]
        deltas.append(
            {
                "tool_calls": [
                    {
                        "index": index,
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": call["function"]["name"], "arguments": arguments[:3]},
                    }
                ]
            }
        )
        deltas.append({"tool_calls": [{"index": index, "function": {"arguments": arguments[3:]}}]})
    chunks = [base | {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]} for delta in deltas]
    chunks.append(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]})
    chunks.append(base | {"choices": [], "usage": body["usage"]})
    return chunks


def _unscripted(request: RecordedRequest) -> ScriptedResponse:
    return error_response(599, f"no scripted response left for {request.method} {request.path}")


class _ThreadingServer(ThreadingHTTPServer):
    request_queue_size = 128  # concurrency tests open many connections at once
    daemon_threads = True


class OpenAIServer:
    """ThreadingHTTPServer in a daemon thread; answers from the queue, then from `fallback`."""

    def __init__(self, fallback: Callable[[RecordedRequest], ScriptedResponse] = _unscripted):
        self.fallback = fallback
        self.requests: list[RecordedRequest] = []  # chat completions requests
        self.side_requests: list[RecordedRequest] = []  # any other path (models, props, tokenize, ...)
        self._queue: deque[ScriptedResponse] = deque()
        self._routes: dict[tuple[str, str], Callable[[RecordedRequest], ScriptedResponse]] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd = _ThreadingServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        """The base URL to give the openai client (ends in /v1)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def push(self, *responses: ScriptedResponse) -> None:
        with self._lock:
            self._queue.extend(responses)

    def route(self, method: str, path: str, answer: Callable[[RecordedRequest], ScriptedResponse]) -> None:
        """Answer every `method` request to `path` with `answer(request)`, leaving the queue alone."""
        with self._lock:
            self._routes[(method, path)] = answer

    @property
    def pending(self) -> int:
        """Scripted responses not yet served."""
        with self._lock:
            return len(self._queue)

    def __enter__(self) -> "OpenAIServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next(self, request: RecordedRequest) -> ScriptedResponse:
        with self._lock:
            chat = request.path.endswith("/chat/completions")
            (self.requests if chat else self.side_requests).append(request)
            route = self._routes.get((request.method, request.path))
            if route is not None:
                return route(request)
            if not chat:
                return error_response(404, f"no route for {request.method} {request.path}")
            if self._queue:
                return self._queue.popleft()
        return self.fallback(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(RecordedRequest("GET", self.path, {k.lower(): v for k, v in self.headers.items()}, None))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                request = RecordedRequest(
                    method="POST",
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=json.loads(raw) if raw else None,
                )
                self._answer(request)

            def _answer(self, request: RecordedRequest) -> None:
                scripted = server._next(request)
                if scripted.delay_s and server._closing.wait(scripted.delay_s):
                    return
                streamed = isinstance(request.body, dict) and request.body.get("stream") and scripted.status == 200
                try:
                    if streamed and isinstance(scripted.body, dict):
                        self._stream(scripted)
                        return
                    payload = scripted.body if isinstance(scripted.body, str) else json.dumps(scripted.body)
                    data = payload.encode("utf-8")
                    self.send_response(scripted.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for name, value in scripted.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to answer

            def _stream(self, scripted: ScriptedResponse) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                for name, value in scripted.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                chunks = scripted.stream_chunks if scripted.stream_chunks is not None else stream_events(scripted.body)
                for chunk in chunks:
                    if scripted.chunk_delay_s and server._closing.wait(scripted.chunk_delay_s):
                        return
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A fresh scripted server per test."""
    with OpenAIServer() as server:
        yield server


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def proxy(monkeypatch) -> Iterator[OpenAIServer]:
    """A scripted server that every proxy variable names (NO_PROXY unset): what it receives went through a proxy."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with OpenAIServer() as server:
        for name in PROXY_VARIABLES:
            monkeypatch.setenv(name, server.url.removesuffix("/v1"))
        yield server
