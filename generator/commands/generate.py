"""`mimicbench generate-patient`: grounded doctor-patient conversations for one patient's admissions."""

from pathlib import Path

import click

from generator.commands.endpoint import DEFAULT_BASE_URL, openai_client
from generator.generate import GenerationConfig
from generator.generate import generate_patient as run_patient
from generator.governance import allowed_hosts, check_endpoint
from generator.llm import LLMClient, LLMSettings
from generator.packet import SECTIONS
from generator.warehouse import Warehouse, WarehouseError

UNCAPPED = "none"
CAP_ALIASES = {"radiology_notes": "--row-cap-radiology", "discharge_notes": "--row-cap-discharge"}


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
    for section in reversed(SECTIONS):
        names = [f"--row-cap-{section.replace('_', '-')}", *([CAP_ALIASES[section]] if section in CAP_ALIASES else [])]
        command = click.option(
            *names,
            f"cap_{section}",
            type=CapType(),
            default=None,
            help=f"Row cap for {section} ('none': uncapped; default: the warehouse build's).",
        )(command)
    return command


@click.command("generate-patient")
@click.option("--subject-id", type=int, required=True, help="The patient (MIMIC subject_id).")
@click.option("--hadm-id", type=int, help="Regenerate this admission only; the patient's others stay untouched.")
@click.option("--max-admissions", type=click.IntRange(min=1), help="Only the first N admissions (in time order).")
@click.option("--include-admissions-without-discharge", is_flag=True, help="Also admissions without a discharge note.")
@click.option(
    "--retry-limit",
    type=click.IntRange(min=0),
    default=4,
    show_default=True,
    help="Retries of a request that failed for a transient reason (timeout, 429, 5xx).",
)
@click.option("--max-output-tokens", type=click.IntRange(min=1), default=16000, show_default=True)
@_cap_options
@click.option("--model", help="Model name as the endpoint knows it (required with --backend openai).")
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, help="OpenAI-compatible endpoint (…/v1).")
@click.option(
    "--api-key-env",
    default="OPENAI_API_KEY",
    show_default=True,
    help="Environment variable holding the API key (not needed for a local server).",
)
@click.option("--seed", type=int, help="Sent to servers that accept it.")
@click.option("--temperature", type=float, default=0.0, show_default=True)
@click.option("--output-root", type=click.Path(path_type=Path), default=Path("output"), show_default=True)
@click.option(
    "--backend",
    type=click.Choice(["openai", "template"]),
    default="openai",
    show_default=True,
    help="'template': the deterministic non-LLM baseline.",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path),
    envvar="MIMICBENCH_DB",
    default=Path("build/warehouse.duckdb"),
    show_default=True,
    help="The warehouse file.",
)
@click.option(
    "--allow-remote-endpoint",
    "allow_remote",
    multiple=True,
    metavar="HOST",
    help="Allow this non-local host for credentialed data (repeatable; also MIMICBENCH_ALLOWED_ENDPOINTS).",
)
def generate_patient(
    subject_id,
    hadm_id,
    max_admissions,
    include_admissions_without_discharge,
    retry_limit,
    max_output_tokens,
    model,
    base_url,
    api_key_env,
    seed,
    temperature,
    output_root,
    backend,
    db_path,
    allow_remote,
    **caps,
) -> None:
    """Write grounded doctor-patient conversations for a patient's admissions under OUTPUT_ROOT/SUBJECT_ID."""
    if backend == "openai" and not model:
        raise click.UsageError("--model is required with --backend openai (or use --backend template).")
    config = GenerationConfig(
        backend=backend,
        caps={
            name.removeprefix("cap_"): None if cap == UNCAPPED else cap for name, cap in caps.items() if cap is not None
        },
        allowed_endpoints=allowed_hosts(allow_remote),
    )
    try:
        warehouse = Warehouse(db_path)
        llm = None
        if backend == "openai":
            origin = warehouse.origin()
            if origin.warning:
                click.echo(f"Warning: {origin.warning}", err=True)
            check_endpoint(base_url, origin.data_origin, config.allowed_endpoints)
            settings = LLMSettings(
                model=model,
                temperature=temperature,
                seed=seed,
                max_output_tokens=max_output_tokens,
                retry_limit=retry_limit,
            )
            llm = LLMClient(openai_client(base_url, api_key_env), settings)
        outcomes = run_patient(
            warehouse,
            llm,
            config,
            output_root,
            subject_id,
            hadm_id=hadm_id,
            max_admissions=max_admissions,
            include_without_discharge=include_admissions_without_discharge,
        )
    except WarehouseError as error:
        raise click.ClickException(str(error)) from error
    for outcome in outcomes:
        detail = f" ({outcome.error_kind}: {outcome.error})" if outcome.error else ""
        click.echo(f"admission {outcome.hadm_id}: {outcome.status}{detail}")
    failed = sum(outcome.status == "failed" for outcome in outcomes)
    click.echo(f"{len(outcomes) - failed} of {len(outcomes)} admissions written under {output_root / str(subject_id)}")
    if failed:
        raise SystemExit(1)
