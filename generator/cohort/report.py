"""The cohort run's figures: one result per admission, progress counts, and the run report (`run_report.json`;
a shard's is `run_report.shard-K-of-N.json`)."""

import math
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from generator.answer import AdmissionOutcome, Answer
from generator.cohort.plan import CohortOptions, PatientPlan, SkippedPatient
from generator.endpoints_pool import EndpointPool
from generator.locks import Busy, exclusive
from generator.shards import Shard

REPORT = "run_report.json"
FAILURE_EXAMPLES = 20
SAMPLES = ("admission_s", "request_ms", "overhead_s", "grounding_score")  # kept per admission, for merging shards


def report_name(shard: Shard | None) -> str:
    """`run_report.json`, or `run_report.shard-K-of-N.json` for a shard: shards on one root keep their own."""
    return f"run_report.{shard.name}.json" if shard else REPORT


@contextmanager
def claimed_report(output_root: Path, shard: Shard | None) -> Iterator[Path]:
    """The file this run's report goes to, held for the run (a lock beside it): `report_name(shard)`, or while
    another live run on this root holds that name, `<name>.run-<UTC time>-<pid>.json`, so no report replaces
    the report of a run still at work."""
    name = report_name(shard)
    with ExitStack() as held:
        try:
            held.enter_context(exclusive(output_root / f".{name}.lock", f"the run report {name}"))
            path = output_root / name
        except Busy:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            path = output_root / f"{name.removesuffix('.json')}.run-{stamp}-{os.getpid()}.json"
        yield path


class AdmissionResult(BaseModel):
    """One admission of this run: its outcome, its time, and what its call record says."""

    outcome: AdmissionOutcome
    wall_s: float
    model_s: float = 0.0  # in model requests (waiting for a slot included) and retry back-off
    request_latencies_ms: list[int] = []
    http_statuses: list[int] = []  # 0: no answer (timeout, connection error)
    rounds: int = 0
    numbers_stated: int = 0
    numbers_grounded: int = 0

    @property
    def overhead_s(self) -> float:
        """The generator's own time: packet read, prompt, validation, writing."""
        return max(0.0, self.wall_s - self.model_s)


class Progress(BaseModel):
    """Counts so far, for progress display."""

    total: int
    completed: int = 0
    failed: int = 0
    skipped: int = 0
    locked: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    elapsed_s: float = 0.0

    @property
    def done(self) -> int:
        return self.completed + self.failed + self.skipped + self.locked


class RunReport(BaseModel):
    """What `run_report.json` holds and the command prints at the end."""

    status: Literal["finished", "interrupted", "aborted", "stopped"]
    message: str
    started_at_utc: str
    wall_s: float
    settings: dict[str, Any]
    patients: dict[str, int]
    admissions: dict[str, int]
    tokens: dict[str, int]
    latency: dict[str, dict[str, float]]
    requests: dict[str, Any]
    concurrency: dict[str, int] | None
    endpoints: dict[str, dict[str, Any]]
    failures: dict[str, Any]
    validation: dict[str, Any]
    estimated_cost_usd: float | None
    patients_skipped: list[SkippedPatient]
    samples: dict[str, list[float]]  # SAMPLES, one per generated admission (request_ms: per request)


def measured_result(answer: Answer, wall_s: float) -> AdmissionResult:
    """The result, with the request and validation figures of the answer."""
    attempts = [attempt for r in answer.rounds for attempt in r.attempts]
    report = answer.report if answer.outcome.status == "completed" else None
    return AdmissionResult(
        outcome=answer.outcome,
        wall_s=wall_s,
        model_s=sum(a["latency_ms"] / 1000 + (a["wait_before_retry_s"] or 0) for a in attempts),
        request_latencies_ms=[a["latency_ms"] for a in attempts],
        http_statuses=[a["http_status"] or 0 for a in attempts],
        rounds=len(answer.rounds),
        numbers_stated=report.numbers_stated if report else 0,
        numbers_grounded=report.numbers_grounded if report else 0,
    )


def failed_result(subject_id: int, hadm_id: int, error: Exception, started: float) -> AdmissionResult:
    outcome = AdmissionOutcome(
        subject_id=subject_id, hadm_id=hadm_id, status="failed", error_kind=type(error).__name__, error=str(error)
    )
    return AdmissionResult(outcome=outcome, wall_s=time.perf_counter() - started)


def tally(progress: Progress, result: AdmissionResult, elapsed_s: float) -> None:
    outcome = result.outcome
    setattr(progress, outcome.status, getattr(progress, outcome.status) + 1)
    progress.input_tokens += outcome.input_tokens
    progress.output_tokens += outcome.output_tokens
    progress.elapsed_s = elapsed_s


def percentiles(values: list[float], points: Iterable[int] = (50, 90, 95, 99)) -> dict[str, float]:
    """Nearest-rank percentiles and the maximum; empty for no values."""
    if not values:
        return {}
    ordered = sorted(values)
    picked = {f"p{p}": ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] for p in points}
    return {**picked, "max": ordered[-1]}


def build_report(
    results: list[AdmissionResult],
    plans: list[PatientPlan],
    skipped: list[SkippedPatient],
    *,
    status: str,
    message: str,
    started_at: datetime,
    wall_s: float,
    settings: dict[str, Any],
    pool: EndpointPool | None,
    options: CohortOptions,
) -> RunReport:
    """Counts, tokens, latencies, failures, validation and grounding figures and cost of a run; per endpoint, the
    requests, failures, drains and in-flight limits."""
    outcomes = [r.outcome for r in results]
    by_status = Counter(o.status for o in outcomes)
    planned = sum(len(plan.targets) for plan in plans)
    generated = [r for r in results if r.outcome.status not in ("skipped", "locked")]
    tokens_in, tokens_out = sum(o.input_tokens for o in outcomes), sum(o.output_tokens for o in outcomes)
    failed = [o for o in outcomes if o.status == "failed"]
    answered = [r for r in generated if r.rounds]
    completed = [r for r in answered if r.outcome.status == "completed"]
    samples = {
        "admission_s": [round(r.wall_s, 3) for r in generated],
        "request_ms": [float(ms) for r in generated for ms in r.request_latencies_ms],
        "overhead_s": [round(r.overhead_s, 3) for r in generated],
        "grounding_score": [r.outcome.grounding_score for r in completed if r.outcome.grounding_score is not None],
    }
    stated, grounded = sum(r.numbers_stated for r in completed), sum(r.numbers_grounded for r in completed)
    endpoints = pool.figures() if pool else {}
    cost = None
    if options.price_per_1k_input is not None or options.price_per_1k_output is not None:
        cost = round(
            tokens_in / 1000 * (options.price_per_1k_input or 0)
            + tokens_out / 1000 * (options.price_per_1k_output or 0),
            6,
        )
    return RunReport(
        status=status,
        message=message,
        started_at_utc=started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        wall_s=round(wall_s, 3),
        settings=settings,
        patients={
            "planned": len(plans),
            "skipped": len(skipped),
            "locked_by_another_run": len({o.subject_id for o in outcomes if o.status == "locked"}),
        },
        admissions={
            "planned": planned,
            "completed": by_status["completed"],
            "failed": by_status["failed"],
            "skipped_up_to_date": by_status["skipped"],
            "locked_by_another_run": by_status["locked"],
            "not_started": planned - len(outcomes),
        },
        tokens={"input": tokens_in, "output": tokens_out, "total": tokens_in + tokens_out},
        latency=latency_figures(samples),
        requests={
            "total": sum(len(r.http_statuses) for r in generated),
            "by_http_status": dict(sorted(Counter(str(s) for r in generated for s in r.http_statuses).items())),
        },
        concurrency=concurrency_totals(endpoints),
        endpoints=endpoints,
        failures={
            "by_kind": dict(Counter(o.error_kind or "unknown" for o in failed).most_common()),
            "examples": [o.model_dump(include={"subject_id", "hadm_id", "error_kind", "error"}) for o in failed][
                :FAILURE_EXAMPLES
            ],
        },
        validation={
            "answers_checked": len(answered),
            "valid_on_first_answer": sum(r.rounds == 1 for r in completed),
            "valid_after_repair": sum(r.rounds > 1 for r in completed),
            "never_valid": sum(r.outcome.error_kind in ("validation", "truncated") for r in answered),
            "rounds_histogram": {str(k): v for k, v in sorted(Counter(r.rounds for r in answered).items())},
            "numbers_stated": stated,
            "numbers_grounded": grounded,
            "grounding_rate": round(grounded / stated, 4) if stated else None,
            "grounding_score": score_figures(samples["grounding_score"]),
        },
        estimated_cost_usd=cost,
        patients_skipped=skipped,
        samples=samples,
    )


def latency_figures(samples: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {
        "admission_s": _rounded(percentiles(samples["admission_s"])),
        "request_ms": percentiles(samples["request_ms"]),
        "overhead_s": _rounded(percentiles(samples["overhead_s"])),
    }


def score_figures(scores: list[float]) -> dict[str, float]:
    if not scores:
        return {}
    return _rounded({"mean": sum(scores) / len(scores), "min": min(scores)} | percentiles(scores, (10, 50)))


def concurrency_totals(endpoints: dict[str, dict[str, Any]]) -> dict[str, int] | None:
    """The endpoints' limits together: ceilings, final limits and cuts summed, the lowest limit of any."""
    limits = [figures for figures in endpoints.values() if "ceiling" in figures]
    if not limits:
        return None
    total = {name: sum(f[name] for f in limits) for name in ("ceiling", "final_limit", "cuts")}
    return total | {"lowest_limit": min(f["lowest_limit"] for f in limits)}


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {name: round(value, 4) for name, value in values.items()}
