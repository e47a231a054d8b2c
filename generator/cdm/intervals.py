"""Percentile bootstrap intervals, seeded so the same numbers always give the same interval."""

import random

CONFIDENCE = 0.95
RESAMPLES = 2000


def bootstrap_interval(
    values: list[float], *, key: str, seed: int, resamples: int = RESAMPLES, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """The `confidence` interval of the mean of `values`: means of `resamples` samples drawn with replacement,
    cut at their percentiles. `key` names the series (a pathology and a metric) so each series draws its own
    stream from `seed`, independent of the order in which series are computed."""
    if not values:
        raise ValueError("an interval needs at least one value")
    rng = random.Random(f"{seed}:{key}")
    n = len(values)
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(resamples))
    tail = (1 - confidence) / 2
    return _quantile(means, tail), _quantile(means, 1 - tail)


def _quantile(ordered: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
