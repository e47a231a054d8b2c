"""The OpenAI-compatible endpoints every LLM command talks to: `connect` checks governance for each, reads the API
key and builds the SDK client and its HTTP client. Every LLM command's client is built here and nowhere else.

The HTTP client is built deliberately rather than from httpx's defaults: no proxy from the environment except
the one `governance.route` allows (never one for a local endpoint), no redirect followed (a redirect could carry
the prompt to another host; the SDK records it as a failed request naming its target), and every response body
redacted of the API key (`generator.redaction`). Each endpoint of the pool gets its own such transport; the pool
(`generator.endpoints_pool`) picks one per request.
"""

import os
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx2
import openai

from generator.endpoints_pool import EndpointPool, PoolTransport
from generator.governance import is_local, route
from generator.llm import LLMClient, LLMSettings
from generator.redaction import redacting

DEFAULT_BASE_URL = "http://127.0.0.1:8000/v1"  # vLLM's default; llama.cpp serves :8080/v1, Ollama :11434/v1
REQUEST_TIMEOUT_S = 120.0  # the longest the server may stay silent (answers are streamed); --request-timeout
CONNECT_TIMEOUT_S = 10.0
LOCAL_PLACEHOLDER_KEY = "not-needed"


class MissingApiKey(Exception):
    """A non-local endpoint without its API key in the environment; the message names the variable to set."""


def connect(
    pool: EndpointPool,
    api_key_env: str,
    settings: LLMSettings,
    *,
    data_origin: str,
    allowed_hosts: Iterable[str],
    request_timeout_s: float = REQUEST_TIMEOUT_S,
) -> LLMClient:
    """The LLM client for the pool's endpoints, once governance allows `data_origin` data to go
    to each of them (and through the environment's proxy for it, if any).

    Every request holds a slot of its endpoint's limit in the pool. `request_timeout_s` is the longest the server
    may stay silent: before its first byte, and between two streamed chunks. Raises `EndpointNotAllowed` or
    `MissingApiKey`, before any request is sent.
    """
    secret = os.environ.get(api_key_env)
    transports = {}
    for base_url in pool.base_urls:
        proxy = route(base_url, data_origin, allowed_hosts)
        _check_key(base_url, secret, api_key_env)
        transports[base_url] = _transport(proxy, secret=secret, keep_alive=pool.ceiling)
    http_client = openai.DefaultHttpx2Client(
        transport=PoolTransport(pool, transports), trust_env=False, follow_redirects=False
    )
    sdk = openai.OpenAI(
        base_url=pool.base_urls[0],
        api_key=secret or LOCAL_PLACEHOLDER_KEY,
        max_retries=0,  # our retry policy only (generator.llm)
        timeout=openai.Timeout(request_timeout_s, connect=CONNECT_TIMEOUT_S),
        http_client=http_client,
    )
    return LLMClient(sdk, settings, secret=secret, endpoints=pool.base_urls)


def _check_key(base_url: str, secret: str | None, api_key_env: str) -> None:
    """A non-local endpoint needs the key in `api_key_env`; local servers need none."""
    if not secret and not is_local(urlsplit(base_url).hostname or ""):
        raise MissingApiKey(f"Set the environment variable {api_key_env} to the API key for {base_url}.")


def _transport(proxy: str | None, *, secret: str | None, keep_alive: int | None) -> httpx2.BaseTransport:
    """One endpoint's transport: `proxy` or none, `secret` redacted from responses, up to `keep_alive` idle
    connections kept (20 without a limit).

    The SDK's HTTP client has `trust_env=False`: proxies come from `governance.route` alone. The transport keeps
    `trust_env=True`, which there only means SSL_CERT_FILE/SSL_CERT_DIR (a site's CA bundle), never a route.
    """
    pool = httpx2.Limits(max_connections=None, max_keepalive_connections=keep_alive or 20)
    return redacting(httpx2.HTTPTransport(limits=pool, proxy=proxy, trust_env=True), secret)
