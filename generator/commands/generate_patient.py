"""`mimicbench generate-patient`: grounded doctor-patient conversations for one patient's admissions."""

from pathlib import Path

import click

from generator.admissions import SelectionError
from generator.answer import GenerationConfig
from generator.artifacts import OutputNotWritable, check_writable
from generator.commands.options import (
    LLMOptions,
    generation_options,
    llm_options,
    make_backend,
    require_model,
    warehouse_origin,
)
from generator.commands.waiting import WaitingNotice, in_flight_of
from generator.generate import generate_patient_admissions
from generator.governance import EndpointNotAllowed
from generator.locks import Busy
from generator.warehouse import Warehouse, WarehouseError


@click.command("generate-patient")
@click.option("--subject-id", type=int, required=True, help="The patient (MIMIC subject_id).")
@click.option("--hadm-id", type=int, help="Regenerate this admission only; the patient's others stay untouched.")
@generation_options
@llm_options(max_output_tokens=16000, model_required=False)
def generate_patient(
    subject_id: int,
    hadm_id: int | None,
    max_admissions: int | None,
    include_admissions_without_discharge: bool,
    caps: dict[str, int | None],
    backend: str,
    db_path: Path,
    output_root: Path,
    llm: LLMOptions,
) -> None:
    """Write grounded doctor-patient conversations for a patient's admissions under OUTPUT_ROOT/SUBJECT_ID."""
    require_model(backend, llm)
    config = GenerationConfig(caps=caps, allowed_endpoints=llm.allowed_hosts)
    try:
        check_writable(output_root)
        with Warehouse(db_path) as warehouse:
            answerer = make_backend(backend, llm, warehouse_origin(warehouse))
            with WaitingNotice(in_flight_of(answerer), lambda line: click.echo(line, err=True)):
                outcomes = generate_patient_admissions(
                    warehouse,
                    answerer,
                    config,
                    output_root,
                    subject_id,
                    hadm_id=hadm_id,
                    max_admissions=max_admissions,
                    include_without_discharge=include_admissions_without_discharge,
                )
    except (OutputNotWritable, WarehouseError, SelectionError, EndpointNotAllowed) as error:
        raise click.ClickException(str(error)) from error
    except Busy as busy:
        raise click.ClickException(f"Patient {subject_id} not generated: {busy}.") from busy
    for outcome in outcomes:
        detail = f" ({outcome.error_kind}: {outcome.error})" if outcome.error else ""
        click.echo(f"admission {outcome.hadm_id}: {outcome.status}{detail}")
    failed = sum(outcome.status == "failed" for outcome in outcomes)
    click.echo(f"{len(outcomes) - failed} of {len(outcomes)} admissions written under {output_root / str(subject_id)}")
    if outcomes and outcomes[-1].stops_run:
        last = outcomes[-1]
        raise click.ClickException(f"Stopped after admission {last.hadm_id}, before any later one: {last.error}")
    if failed:
        raise SystemExit(1)
