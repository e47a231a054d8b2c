"""Options shared by several commands, and the one place where a command builds its LLM client from them.

`llm_options` adds the ten options of every LLM command and hands them to the command as one `LLMOptions`;
`LLMOptions.client` builds the client (`generator.endpoint.connect`) and `LLMOptions.context` learns the model's
context window (`--context-window`, else the server's), saying once what it found. `generation_options` adds the
options of the conversation commands and hands the row caps to the command as one `caps` mapping.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from generator.answer import Backend
from generator.context.model import ModelContext, learn_context
from generator.endpoint import DEFAULT_BASE_URL, REQUEST_TIMEOUT_S, MissingApiKey, connect
from generator.endpoints_pool import EndpointPool
from generator.governance import EndpointNotAllowed, allowed_hosts
from generator.llm import LLMClient, LLMSettings
from generator.model_backend import ModelBackend
from generator.sections import PACKET_SECTIONS
from generator.shards import Shard, ShardError
from generator.template_backend import TemplateBackend
from generator.warehouse import Warehouse

DEFAULT_DB = Path("build/warehouse.duckdb")

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    envvar="MIMICBENCH_DB",
    show_default=True,
    help="The DuckDB warehouse file.",
)

UNCAPPED = "none"


class CapType(click.ParamType):
    """A row cap: a whole number, or `none` for no cap (kept as the string until the caps are built)."""

    name = "N|none"

    def convert(self, value, param, ctx):
        text = str(value).strip().lower()
        if text == UNCAPPED or isinstance(value, int):
            return value if isinstance(value, int) else UNCAPPED
        if text.isdigit():
            return int(text)
        self.fail(f"{value!r} is neither a whole number nor 'none'", param, ctx)


def _cap_options(command):
    """One `--row-cap-<section>` option per packet section (generator/sections.py), in packet order."""
    for section in reversed(PACKET_SECTIONS):
        command = click.option(
            f"--row-cap-{section.name.replace('_', '-')}",
            section.cap_var,
            type=CapType(),
            default=None,
            help=f"Row cap for {section.name} ('none': uncapped; default: the warehouse build's).",
        )(command)
    return command


def generation_options(command: Callable) -> Callable:
    """Which admissions, row caps, backend, warehouse and output root; the command gets the caps as `caps`."""

    @functools.wraps(command)
    def with_caps(*args: Any, **kwargs: Any) -> Any:
        caps = {name.removeprefix("cap_"): kwargs.pop(name) for name in list(kwargs) if name.startswith("cap_")}
        requested = {name: None if cap == UNCAPPED else cap for name, cap in caps.items() if cap is not None}
        return command(*args, caps=requested, **kwargs)

    options = [
        click.option(
            "--max-admissions", type=click.IntRange(min=1), help="Only the first N admissions (in time order)."
        ),
        click.option(
            "--include-admissions-without-discharge", is_flag=True, help="Also admissions without a discharge note."
        ),
        _cap_options,
        click.option(
            "--backend",
            type=click.Choice(["openai", "template"]),
            default="openai",
            show_default=True,
            help="'template': the deterministic non-LLM baseline.",
        ),
        db_option,
        click.option("--output-root", type=click.Path(path_type=Path), default=Path("output"), show_default=True),
    ]
    for option in reversed(options):
        with_caps = option(with_caps)
    return with_caps


@dataclass(frozen=True)
class LLMOptions:
    """The endpoint, model and request settings of an LLM command."""

    model: str | None
    base_urls: tuple[str, ...]
    api_key_env: str
    seed: int | None
    temperature: float
    retry_limit: int
    max_output_tokens: int
    context_window: int | None
    request_timeout: float
    allow_remote: tuple[str, ...]

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        """`--allow-remote-endpoint` hosts and those of `MIMICBENCH_ALLOWED_ENDPOINTS`."""
        return allowed_hosts(self.allow_remote)

    def pool(self, ceiling: int | None = None) -> EndpointPool:
        """The `--base-url` endpoints, each with its own in-flight limit of `ceiling` requests (None: unlimited)."""
        return EndpointPool(self.base_urls, ceiling)

    def client(self, data_origin: str, *, pool: EndpointPool | None = None) -> LLMClient:
        """The LLM client over `pool` (default: the endpoints, unlimited), if governance lets `data_origin` data go
        to every endpoint; else a one-line error."""
        settings = LLMSettings(
            model=self.model,
            temperature=self.temperature,
            seed=self.seed,
            max_output_tokens=self.max_output_tokens,
            retry_limit=self.retry_limit,
        )
        try:
            return connect(
                pool or self.pool(),
                self.api_key_env,
                settings,
                data_origin=data_origin,
                allowed_hosts=self.allowed_hosts,
                request_timeout_s=self.request_timeout,
            )
        except (EndpointNotAllowed, MissingApiKey) as error:
            raise click.ClickException(str(error)) from error

    def context(self, client: LLMClient) -> ModelContext:
        """The model's window and token counter, learned from the server unless --context-window gives the
        window; said once on stderr (also when unknown: prompts then go unfitted)."""
        context = learn_context(client.sdk, client.settings.model, self.context_window)
        click.echo(context.describe(), err=True)
        return context


def llm_options(*, max_output_tokens: int, model_required: bool) -> Callable[[Callable], Callable]:
    """The ten options of every LLM command; the command gets them as one `llm: LLMOptions`."""

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def with_llm(*args: Any, **kwargs: Any) -> Any:
            llm = LLMOptions(**{name: kwargs.pop(name) for name in LLMOptions.__dataclass_fields__})
            return command(*args, llm=llm, **kwargs)

        model_help = "Model name as the endpoint knows it" + (
            "." if model_required else " (required with --backend openai)."
        )
        options = [
            click.option("--model", required=model_required, help=model_help),
            click.option(
                "--base-url",
                "base_urls",
                multiple=True,
                default=[DEFAULT_BASE_URL],
                show_default=True,
                help="OpenAI-compatible endpoint (…/v1). Repeat it for several servers of the same model: each "
                "request goes to the least-loaded one that is up, each with its own in-flight limit.",
            ),
            click.option(
                "--api-key-env",
                default="OPENAI_API_KEY",
                show_default=True,
                help="Environment variable holding the API key (not needed for a local server).",
            ),
            click.option("--seed", type=int, help="Sent to servers that accept it."),
            click.option("--temperature", type=float, default=0.0, show_default=True),
            click.option(
                "--retry-limit",
                type=click.IntRange(min=0),
                default=4,
                show_default=True,
                help="Retries of a request that failed for a transient reason (timeout, 429, 5xx).",
            ),
            click.option(
                "--max-output-tokens",
                type=click.IntRange(min=1),
                default=max_output_tokens,
                show_default=True,
                help="The most an answer may use; less when the context window leaves less (recorded).",
            ),
            click.option(
                "--context-window",
                type=click.IntRange(min=256),
                help="The model's context window in tokens; prompts are fitted to it (default: what the server "
                "says: vLLM's max_model_len, llama.cpp's n_ctx; unfitted when it says nothing).",
            ),
            click.option(
                "--request-timeout",
                type=click.FloatRange(min=1),
                default=REQUEST_TIMEOUT_S,
                show_default=True,
                metavar="SECONDS",
                help="The longest the server may stay silent, before its first byte and between streamed chunks; "
                "a slow server that keeps sending is never cut off.",
            ),
            click.option(
                "--allow-remote-endpoint",
                "allow_remote",
                multiple=True,
                metavar="HOST",
                help="Allow this non-local host for credentialed data (repeatable; also MIMICBENCH_ALLOWED_ENDPOINTS).",
            ),
        ]
        for option in reversed(options):
            with_llm = option(with_llm)
        return with_llm

    return decorate


def require_model(backend: str, llm: LLMOptions) -> None:
    if backend == "openai" and not llm.model:
        raise click.UsageError("--model is required with --backend openai (or use --backend template).")


def warehouse_origin(warehouse: Warehouse) -> str:
    """The warehouse's data origin checked against its content (generator/origin.py); says why when not trusted."""
    origin = warehouse.origin()
    if origin.warning:
        click.echo(f"Warning: {origin.warning}", err=True)
    return origin.data_origin


def make_backend(backend: str, llm: LLMOptions, data_origin: str, *, pool: EndpointPool | None = None) -> Backend:
    """`--backend`: the template baseline, or the model behind the LLM options' endpoints."""
    if backend == "template":
        return TemplateBackend()
    client = llm.client(data_origin, pool=pool)
    return ModelBackend(client, llm.context(client))


class ShardType(click.ParamType):
    """`K/N`: shard K of N (generator/shards.py)."""

    name = "K/N"

    def convert(self, value, param, ctx):
        if isinstance(value, Shard):
            return value
        try:
            return Shard.parse(str(value))
        except ShardError as error:
            self.fail(str(error), param, ctx)


def shard_option(what: str) -> Callable[[Callable], Callable]:
    """`--shard K/N`: only the `what` that fall in shard K of N (a stable hash of the id), as `shard`."""
    return click.option(
        "--shard",
        type=ShardType(),
        help=f"Only shard K of N of the {what} (by a stable hash of the id: adding more moves none), for N "
        "processes that split one run, e.g. a Slurm array (scripts/slurm/).",
    )
