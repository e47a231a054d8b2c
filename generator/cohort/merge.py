"""`mimicbench report merge`: the run reports of a cohort's shards on one output root, joined into one.

Each shard writes `run_report.shard-K-of-N.json` (its latest run). Counts, tokens, requests, failures and
validation figures add up; latencies and grounding scores are recomputed from the shards' samples, so the
overall percentiles are those of all admissions together, not an average of the shards' percentiles.
"""

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.cohort.report import SAMPLES, RunReport, latency_figures, score_figures

SHARD_REPORT = re.compile(r"^run_report\.shard-(\d+)-of-(\d+)\.json$")
MERGED = "run_report.merged.json"
SUMMED_VALIDATION = (
    "answers_checked",
    "valid_on_first_answer",
    "valid_after_repair",
    "never_valid",
    "numbers_stated",
    "numbers_grounded",
)


class MergeError(Exception):
    """No shard reports to merge, shards of different N side by side, or a file that is not a run report."""


class MergedReport(BaseModel):
    """What `run_report.merged.json` holds: the whole cohort, then each shard."""

    output_root: str
    overall: dict[str, Any]
    per_shard: dict[str, dict[str, Any]]


def merge_reports(output_root: Path) -> MergedReport:
    """The shards' reports in `output_root` joined; names the shards that have not reported yet."""
    found = {}
    for path in sorted(output_root.glob("run_report.shard-*-of-*.json")):
        if match := SHARD_REPORT.match(path.name):
            found[int(match.group(1)), int(match.group(2))] = path
    if not found:
        raise MergeError(
            f"No shard reports (run_report.shard-K-of-N.json) in {output_root}: run `mimicbench generate-cohort "
            "--shard K/N` with this --output-root first."
        )
    counts = sorted({count for _, count in found})
    if len(counts) > 1:
        raise MergeError(
            f"{output_root} holds reports of {' and of '.join(f'{n} shards' for n in counts)}: remove the "
            "run_report.shard-*.json files of the split you no longer use, then merge again."
        )
    count = counts[0]
    reports = {index: _read(path) for (index, _), path in sorted(found.items())}
    return MergedReport(
        output_root=str(output_root),
        overall=_overall(list(reports.values()), count, missing=[k for k in range(1, count + 1) if k not in reports]),
        per_shard={f"{index}/{count}": _shard(report) for index, report in reports.items()},
    )


def _read(path: Path) -> RunReport:
    try:
        return RunReport.model_validate_json(path.read_bytes())
    except ValidationError as error:
        raise MergeError(
            f"{path} is not a run report of this mimicbench version ({error.errors()[0]['msg']}): rerun that shard "
            "to write it again."
        ) from None


def _shard(report: RunReport) -> dict[str, Any]:
    return {
        "status": report.status,
        "started_at_utc": report.started_at_utc,
        "wall_s": report.wall_s,
        "patients": report.patients,
        "admissions": report.admissions,
        "tokens": report.tokens,
        "latency": report.latency,
        "grounding_rate": report.validation["grounding_rate"],
        "endpoints": list(report.endpoints),
    }


def _overall(reports: list[RunReport], count: int, *, missing: list[int]) -> dict[str, Any]:
    samples = {name: [value for report in reports for value in report.samples[name]] for name in SAMPLES}
    validation: dict[str, Any] = {name: sum(r.validation[name] for r in reports) for name in SUMMED_VALIDATION}
    stated, grounded = validation["numbers_stated"], validation["numbers_grounded"]
    rounds = sum((Counter(r.validation["rounds_histogram"]) for r in reports), Counter())
    validation |= {
        "rounds_histogram": dict(sorted(rounds.items())),
        "grounding_rate": round(grounded / stated, 4) if stated else None,
        "grounding_score": score_figures(samples["grounding_score"]),
    }
    starts = [datetime.strptime(r.started_at_utc, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) for r in reports]
    ends = [start + timedelta(seconds=r.wall_s) for start, r in zip(starts, reports, strict=True)]
    span_s = (max(ends) - min(starts)).total_seconds()
    admissions = _sum([r.admissions for r in reports])
    costs = [r.estimated_cost_usd for r in reports if r.estimated_cost_usd is not None]
    return {
        "shards": count,
        "shards_missing": missing,
        "status": "finished" if not missing and all(r.status == "finished" for r in reports) else "incomplete",
        "started_at_utc": min(starts).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "wall_s": round(span_s, 3),
        "completed_per_hour": round(admissions["completed"] / span_s * 3600, 1) if span_s else None,
        "patients": _sum([r.patients for r in reports]),
        "admissions": admissions,
        "tokens": _sum([r.tokens for r in reports]),
        "latency": latency_figures(samples),
        "requests": {
            "total": sum(r.requests["total"] for r in reports),
            "by_http_status": _sum([r.requests["by_http_status"] for r in reports]),
        },
        "failures": {"by_kind": _sum([r.failures["by_kind"] for r in reports])},
        "validation": validation,
        "endpoints": _endpoints(reports),
        "estimated_cost_usd": round(sum(costs), 6) if costs else None,
    }


def _endpoints(reports: list[RunReport]) -> dict[str, dict[str, int]]:
    """Per endpoint, over the shards that used it: requests, failed, times drained."""
    used: dict[str, Counter] = {}
    for report in reports:
        for url, figures in report.endpoints.items():
            used.setdefault(url, Counter()).update({k: figures[k] for k in ("requests", "failed", "times_drained")})
    return {url: dict(figures) for url, figures in sorted(used.items())}


def _sum(counts: list[dict[str, int]]) -> dict[str, int]:
    total: Counter = Counter()
    for each in counts:
        total.update(each)
    return dict(sorted(total.items()))
