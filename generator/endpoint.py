"""The OpenAI-compatible endpoint every LLM command talks to: `connect` checks governance, reads the API key and
builds the SDK client and its HTTP client. Every LLM command's client is built here and nowhere else."""

import os
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx2
import openai

from generator.governance import check_endpoint, is_local
from generator.llm import LLMClient, LLMSettings
from generator.rate_limit import AdaptiveLimit, LimitedTransport

DEFAULT_BASE_URL = "http://127.0.0.1:8000/v1"  # vLLM's default; llama.cpp serves :8080/v1, Ollama :11434/v1
REQUEST_TIMEOUT_S = 120.0  # the longest the server may stay silent (answers are streamed); --request-timeout
CONNECT_TIMEOUT_S = 10.0


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
    """The LLM client for `base_url`, once governance allows `data_origin` data to go there.

    With `limit`, every request holds one of its slots (`LimitedTransport`). `request_timeout_s` is the longest the
    server may stay silent: before its first byte, and between two streamed chunks. Raises `EndpointNotAllowed` or
    `MissingApiKey`, before any request is sent.
    """
    check_endpoint(base_url, data_origin, allowed_hosts)
    return LLMClient(_sdk_client(base_url, api_key_env, _http_client(limit), request_timeout_s), settings)


def _sdk_client(
    base_url: str, api_key_env: str, http_client: httpx2.Client, request_timeout_s: float = REQUEST_TIMEOUT_S
) -> openai.OpenAI:
    """The SDK client with our retry policy only (max_retries=0); local servers need no key."""
    api_key = os.environ.get(api_key_env)
    if not api_key:
        if not is_local(urlsplit(base_url).hostname or ""):
            raise MissingApiKey(f"Set the environment variable {api_key_env} to the API key for {base_url}.")
        api_key = "not-needed"
    return openai.OpenAI(
        base_url=base_url,
        api_key=api_key,
        max_retries=0,
        timeout=openai.Timeout(request_timeout_s, connect=CONNECT_TIMEOUT_S),
        http_client=http_client,
    )


def _http_client(limit: AdaptiveLimit | None) -> httpx2.Client:
    """The SDK's default HTTP client; with `limit`, its transport holds a slot of the limit for each request."""
    if limit is None:
        return openai.DefaultHttpx2Client()
    pool = httpx2.Limits(max_connections=None, max_keepalive_connections=limit.ceiling)
    return openai.DefaultHttpx2Client(transport=LimitedTransport(httpx2.HTTPTransport(limits=pool), limit))
