"""The OpenAI-compatible endpoint every LLM command talks to: default URL, timeout, SDK client."""

import os
from urllib.parse import urlsplit

import click
import httpx2
import openai

from generator.governance import is_local

DEFAULT_BASE_URL = "http://127.0.0.1:8000/v1"  # vLLM's default; llama.cpp serves :8080/v1, Ollama :11434/v1
REQUEST_TIMEOUT_S = 600.0


def openai_client(base_url: str, api_key_env: str, http_client: httpx2.Client | None = None) -> openai.OpenAI:
    """The SDK client with our retry policy only (max_retries=0); local servers need no key."""
    api_key = os.environ.get(api_key_env)
    if not api_key:
        if not is_local(urlsplit(base_url).hostname or ""):
            raise click.ClickException(f"Set the environment variable {api_key_env} to the API key for {base_url}.")
        api_key = "not-needed"
    return openai.OpenAI(
        base_url=base_url,
        api_key=api_key,
        max_retries=0,
        timeout=openai.Timeout(REQUEST_TIMEOUT_S, connect=10.0),
        http_client=http_client,
    )
