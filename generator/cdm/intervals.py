"""Percentile bootstrap intervals, seeded so the same numbers always give the same intervals."""

import random
from array import array

CONFIDENCE = 0.95
RESAMPLES = 2000
INDEX_TYPE = "I"  # unsigned ints drawn as random bytes
INDEX_BYTES = array(INDEX_TYPE).itemsize


def bootstrap_intervals(
    series: dict[str, list[float | None]],
    *,
    key: str,
    seed: int,
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
) -> dict[str, tuple[float, float] | None]:
    """The `confidence` interval of the mean of each series of one group of cases (all series as long as the
    group, None where a case lacks the value): the cases are drawn with replacement `resamples` times, each
    series' mean taken over the drawn cases that have it, and the means cut at their percentiles. `key`
    names the group, so each group draws its own stream from `seed` whatever order groups are computed in.
    A series without any value has no interval."""
    sizes = {len(values) for values in series.values()}
    if len(sizes) > 1:
        raise ValueError("every series of a group needs one value (or None) per case")
    n = sizes.pop() if sizes else 0
    intervals: dict[str, tuple[float, float] | None] = {}
    varying: dict[str, list[float | None]] = {}
    for name, values in series.items():
        distinct = {v for v in values if v is not None}
        if not distinct:
            intervals[name] = None
        elif len(distinct) == 1:
            only = distinct.pop()
            intervals[name] = (only, only)
        else:
            varying[name] = values
    means = _resampled_means(varying, n, random.Random(f"{seed}:{key}"), resamples)
    tail = (1 - confidence) / 2
    for name, values in means.items():
        ordered = sorted(values)
        intervals[name] = (_quantile(ordered, tail), _quantile(ordered, 1 - tail)) if ordered else None
    return intervals


def _resampled_means(
    series: dict[str, list[float | None]], n: int, rng: random.Random, resamples: int
) -> dict[str, list[float]]:
    """Each series' mean over the drawn cases that have it, for `resamples` draws of n cases with
    replacement (the same draws for every series). Indices come from random bytes modulo n, whose bias
    (below n / 2**32) is far under the bootstrap's own noise."""
    numbers = {name: [0.0 if v is None else v for v in values] for name, values in series.items()}
    present = {name: [0 if v is None else 1 for v in values] for name, values in series.items()}
    complete = {name for name, values in series.items() if None not in values}
    means: dict[str, list[float]] = {name: [] for name in series}
    for _ in range(resamples if series else 0):
        drawn = list(map(n.__rmod__, array(INDEX_TYPE, rng.randbytes(INDEX_BYTES * n))))
        for name in series:
            count = n if name in complete else sum(map(present[name].__getitem__, drawn))
            if count:
                means[name].append(sum(map(numbers[name].__getitem__, drawn)) / count)
    return means


def _quantile(ordered: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
