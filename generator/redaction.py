"""The API key's value never reaches a record or the console: every response body is read through
`RedactingTransport`, which replaces the key wherever the server echoes it.

All that the generator records or prints about a request (error bodies, error messages, answers) comes from the
response, so this one point covers `failure.json`, `model_call_record.json`, the patient manifests, the run
report, CDM results and the console alike. The body is redacted after decompression and as it streams: a key cut
across two chunks is still found.
"""

import httpx2

REDACTED = b"[redacted]"
MIN_SECRET_CHARS = 8  # shorter values would match ordinary text; no service issues keys that short


def redact_text(text: str | None, secret: str | None) -> str | None:
    """`text` with `secret` replaced: for what a streamed answer's deltas join into, a key split across them."""
    if text is None or not secret or len(secret) < MIN_SECRET_CHARS:
        return text
    return text.replace(secret, REDACTED.decode("ascii"))


def redacting(inner: httpx2.BaseTransport, secret: str | None) -> httpx2.BaseTransport:
    """`inner` with `secret` redacted from its responses; `inner` itself for no secret or one too short to find."""
    if not secret or len(secret) < MIN_SECRET_CHARS:
        return inner
    return RedactingTransport(inner, secret)


class RedactingTransport(httpx2.BaseTransport):
    """An HTTP transport whose responses carry `secret` nowhere in their body."""

    def __init__(self, inner: httpx2.BaseTransport, secret: str):
        self._inner = inner
        self._secret = secret.encode("utf-8")

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = self._inner.handle_request(request)
        headers = [(k, v) for k, v in response.headers.multi_items() if k not in ("content-encoding", "content-length")]
        return httpx2.Response(
            response.status_code,
            headers=headers,
            stream=_RedactedBody(response, self._secret),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()


class _RedactedBody(httpx2.SyncByteStream):
    """The decoded body of `response` with every `secret` replaced, holding back only as many bytes as could
    begin a secret that the next chunk completes."""

    def __init__(self, response: httpx2.Response, secret: bytes):
        self._response = response
        self._secret = secret

    def __iter__(self):
        held = b""
        keep = len(self._secret) - 1
        for chunk in self._response.iter_bytes():
            held = (held + chunk).replace(self._secret, REDACTED)
            if len(held) > keep:
                yield held[:-keep]
                held = held[-keep:]
        if held:
            yield held

    def close(self) -> None:
        self._response.close()
