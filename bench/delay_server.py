"""A local OpenAI-compatible server that answers every chat completion after a fixed delay, with a valid answer.

The answer is a short canned conversation that cites the admission (`ADM#...`) and its discharge note (the first
row of the prompt's `## discharge_notes` section), so it passes validation without the server reading the
warehouse; a request with `"stream": true` gets it as server-sent events, and `GET /v1/models` lists one model.
It records when each request arrived and was answered, and the CPU time its request handlers took, for the
cohort benchmark.

Usage: .venv/bin/python bench/delay_server.py [--delay 1.0] [--port 8011]   (then --base-url http://127.0.0.1:8011/v1)
"""

import argparse
import contextlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ADMISSION = re.compile(r"ADM#\d+")
DISCHARGE_ROW = re.compile(r"^## discharge_notes:.*\n([^|\n]+)\|", re.MULTILINE)


def canned_answer(prompt: str) -> dict[str, Any]:
    """A valid, number-free conversation and summary citing the prompt's admission and discharge note."""
    admission = ADMISSION.search(prompt).group(0)
    discharge = DISCHARGE_ROW.search(prompt)
    cited = [admission, discharge.group(1)] if discharge else [admission]

    def turn(number: int, speaker: str, time_label: str, text: str, eids: list[str]) -> dict[str, Any]:
        return {"turn_id": number, "speaker": speaker, "relative_time": time_label, "text": text, "evidence_eids": eids}

    return {
        "conversation": [
            turn(1, "NURSE", "H+00:00", "Welcome, we are admitting you to the hospital now.", [admission]),
            turn(2, "PATIENT", "H+00:01", "Thank you. I have not been feeling well.", []),
            turn(3, "ATTENDING", "H+01:00", "We reviewed your records and will go over the plan with you.", cited),
        ],
        "end_of_admission_summary": {
            "relative_discharge_time": "H+02:00",
            "one_paragraph_summary": "Admitted, evaluated and discharged as documented in the discharge note.",
            "problem_list": [{"problem": "Admission", "status_at_discharge": "resolved", "supporting_eids": cited}],
            "key_tests_and_results": [],
            "treatments_and_meds": [],
            "disposition": {"discharge_location": "not documented", "supporting_eids": [admission]},
        },
    }


def completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 0,
        "model": "bench-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200},
    }


def streamed(body: dict[str, Any]) -> bytes:
    """A completion as server-sent events: the content, the finish reason, the usage, then `[DONE]`."""
    base = {"id": body["id"], "object": "chat.completion.chunk", "created": 0, "model": body["model"]}
    choice = body["choices"][0]
    chunks = [
        base | {"choices": [{"index": 0, "delta": choice["message"], "finish_reason": None}]},
        base | {"choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]},
        base | {"choices": [], "usage": body["usage"]},
    ]
    return "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks).encode() + b"data: [DONE]\n\n"


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # the default listen backlog (5) drops connections at high concurrency


class DelayServer:
    """ThreadingHTTPServer on 127.0.0.1 in a daemon thread; `log` holds (arrived, answered, hadm eid) per request,
    `cpu_s` the CPU time of the request handlers."""

    def __init__(self, delay_s: float, port: int = 0):
        self.delay_s = delay_s
        self.log: list[tuple[float, float, str]] = []
        self.cpu_s = 0.0
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "DelayServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else the body waits ~40 ms for the ACK of the headers (delayed ACK)

            def do_GET(self) -> None:
                """`/v1/models` lists the one model, as a server that has loaded it does; anything else is 404."""
                found = self.path.rstrip("/") == "/v1/models"
                data = json.dumps({"object": "list", "data": [{"id": "bench-model", "object": "model"}]}).encode()
                self.send_response(200 if found else 404)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data) if found else 0))
                self.end_headers()
                if found:
                    self.wfile.write(data)

            def do_POST(self) -> None:
                arrived, cpu = time.monotonic(), time.thread_time()
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
                prompt = next(m["content"] for m in body["messages"] if m["role"] == "user")
                answer = completion(json.dumps(canned_answer(prompt)))
                data = streamed(answer) if body.get("stream") else json.dumps(answer).encode()
                time.sleep(max(0.0, server.delay_s - (time.monotonic() - arrived)))
                with server._lock:  # before answering: the client's next request comes after this moment
                    server.log.append((arrived, time.monotonic(), ADMISSION.search(prompt).group(0)))
                self.send_response(200)
                self.send_header("content-type", "text/event-stream" if body.get("stream") else "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                with server._lock:
                    server.cpu_s += time.thread_time() - cpu

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=1.0, help="Seconds before each answer.")
    parser.add_argument("--port", type=int, default=8011)
    args = parser.parse_args()
    with DelayServer(args.delay, args.port) as server:
        print(f"answering at {server.url} after {args.delay}s; Ctrl-C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
