"""The OpenAI-compatible endpoint every LLM command talks to: `connect` checks governance, reads the API key and
builds the SDK client and its HTTP client. Every LLM command's client is built here and nowhere else.

The HTTP client is built deliberately rather than from httpx's defaults: no proxy from the environment except
the one `governance.route` allows (never one for a local endpoint), no redirect followed (a redirect could carry
the prompt to another host; the SDK records it as a failed request naming its target), and every response body
redacted of the API key (`generator.redaction`).
"""

import os
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx2
import openai

from generator.governance import is_local, route
from generator.llm import LLMClient, LLMSettings
from generator.rate_limit import AdaptiveLimit, LimitedTransport
from generator.redaction import redacting

DEFAULT_BASE_URL = "http://127.0.0.1:8000/v1"  # vLLM's default; llama.cpp serves :8080/v1, Ollama :11434/v1
REQUEST_TIMEOUT_S = 120.0  # the longest the server may stay silent (answers are streamed); --request-timeout
CONNECT_TIMEOUT_S = 10.0
LOCAL_PLACEHOLDER_KEY = "not-needed"


class MissingApiKey(Exception):
    """A non-local endpoint without its API key in the environment; the message names the variable to set."""


def connect(
    base_url: str,
    api_key_env: str,
    settings: LLMSettings,
    *,
    data_origin: str,
    allowed_hosts: Iterable[str],
    limit: AdaptiveLimit | None = None,
    request_timeout_s: float = REQUEST_TIMEOUT_S,
) -> LLMClient:
    """The LLM client for `base_url`, once governance allows `data_origin` data to go there (and through the
    environment's proxy for it, if any).

    With `limit`, every request holds one of its slots (`LimitedTransport`). `request_timeout_s` is the longest the
    server may stay silent: before its first byte, and between two streamed chunks. Raises `EndpointNotAllowed` or
    `MissingApiKey`, before any request is sent.
    """
    proxy = route(base_url, data_origin, allowed_hosts)
    api_key = _api_key(base_url, api_key_env)
    http_client = _http_client(proxy, secret=os.environ.get(api_key_env), limit=limit)
    sdk = openai.OpenAI(
        base_url=base_url,
        api_key=api_key,
        max_retries=0,  # our retry policy only (generator.llm)
        timeout=openai.Timeout(request_timeout_s, connect=CONNECT_TIMEOUT_S),
        http_client=http_client,
    )
    return LLMClient(sdk, settings, secret=os.environ.get(api_key_env))


def _api_key(base_url: str, api_key_env: str) -> str:
    """The key from `api_key_env`; local servers need none."""
    api_key = os.environ.get(api_key_env)
    if api_key:
        return api_key
    if not is_local(urlsplit(base_url).hostname or ""):
        raise MissingApiKey(f"Set the environment variable {api_key_env} to the API key for {base_url}.")
    return LOCAL_PLACEHOLDER_KEY


def _http_client(proxy: str | None, *, secret: str | None, limit: AdaptiveLimit | None) -> httpx2.Client:
    """The HTTP client: `proxy` or none, no redirects, `secret` redacted from responses, and with `limit`, a slot
    of the limit held by each request.

    `trust_env=False` on the client: proxies come from `governance.route` alone. The transport keeps
    `trust_env=True`, which there only means SSL_CERT_FILE/SSL_CERT_DIR (a site's CA bundle), never a route.
    """
    pool = httpx2.Limits(max_connections=None, max_keepalive_connections=limit.ceiling if limit else 20)
    transport = redacting(httpx2.HTTPTransport(limits=pool, proxy=proxy, trust_env=True), secret)
    if limit is not None:
        transport = LimitedTransport(transport, limit)
    return openai.DefaultHttpx2Client(transport=transport, trust_env=False, follow_redirects=False)
