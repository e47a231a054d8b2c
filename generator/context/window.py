"""How many tokens the model's context window holds: given by the user, or learned from the server.

Where servers say it (measured on llama.cpp's server and documented for vLLM):
- vLLM: `GET /v1/models` -> `data[i].max_model_len`;
- llama.cpp: `GET /v1/models` -> `data[i].meta.n_ctx` (the whole context), and `GET /props` ->
  `default_generation_settings.n_ctx` (one slot's share, what a single request may use with `--parallel N`).
When several are given, the smallest one wins: it is the one a request runs into.
"""

from typing import Any

import openai
from pydantic import BaseModel, ConfigDict

DISCOVERY_TIMEOUT_S = 10.0


class ContextWindow(BaseModel):
    """The window in tokens (None: unknown, prompts are not fitted) and where that number came from."""

    model_config = ConfigDict(frozen=True)

    tokens: int | None
    source: str

    @property
    def known(self) -> bool:
        return self.tokens is not None


def server_root(base_url: str) -> str:
    """The server's root URL (where `/props` and `/tokenize` live) from an OpenAI base URL ending in `/v1`."""
    root = str(base_url).rstrip("/")
    return root.removesuffix("/v1")


def discover_window(client: openai.OpenAI, model: str, configured: int | None = None) -> ContextWindow:
    """`configured` when given (`--context-window`), else the smallest window the server states, else unknown."""
    if configured is not None:
        return ContextWindow(tokens=configured, source="--context-window")
    found: list[tuple[int, str]] = []
    quick = client.with_options(timeout=DISCOVERY_TIMEOUT_S, max_retries=0)
    entry = model_entry(client, model)
    if _positive(entry.get("max_model_len")):
        found.append((entry["max_model_len"], "GET /v1/models max_model_len"))
    meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
    if _positive(meta.get("n_ctx")):
        found.append((meta["n_ctx"], "GET /v1/models meta.n_ctx"))
    props = _get_json(quick, server_root(client.base_url) + "/props")
    settings = props.get("default_generation_settings") if isinstance(props, dict) else None
    if isinstance(settings, dict) and _positive(settings.get("n_ctx")):
        found.append((settings["n_ctx"], "GET /props default_generation_settings.n_ctx"))
    if not found:
        return ContextWindow(tokens=None, source="the server does not say (no max_model_len, meta.n_ctx or /props)")
    tokens, source = min(found)
    return ContextWindow(tokens=tokens, source=source)


def model_entry(client: openai.OpenAI, model: str | None) -> dict[str, Any]:
    """What `GET /v1/models` says of `model` (or of the only model listed when `model` is None or named
    otherwise); empty when it says nothing."""
    quick = client.with_options(timeout=DISCOVERY_TIMEOUT_S, max_retries=0)
    return _model_entry(_get_json(quick, "/models"), model) or {}


def _get_json(client: openai.OpenAI, path: str) -> Any:
    """The JSON body of a GET, or None when the server has no such endpoint or cannot be reached."""
    try:
        return client.get(path, cast_to=object)
    except (openai.APIStatusError, openai.APIConnectionError, openai.APIResponseValidationError):
        return None


def _model_entry(models: Any, model: str | None) -> dict[str, Any] | None:
    """The `/v1/models` entry of `model`, or the only entry when the server lists one under another name."""
    entries = models.get("data") if isinstance(models, dict) else None
    if not isinstance(entries, list):
        return None
    entries = [entry for entry in entries if isinstance(entry, dict)]
    named = [entry for entry in entries if entry.get("id") == model]
    if named:
        return named[0]
    return entries[0] if len(entries) == 1 else None


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
