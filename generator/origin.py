"""What counts as synthetic data: a synthetic label AND ids from the ranges only `mimicbench synth` uses.

A label alone (in a warehouse's build record or a cases file) is one edit away from wrong, so content decides
too: real MIMIC-IV numbers patients 10,000,000-19,999,999 and admissions 20,000,000-29,999,999, and synthetic
data takes its ids from ranges real MIMIC-IV never uses. Anything that fails the check is credentialed.
"""

from collections.abc import Iterable
from typing import NamedTuple

SYNTHETIC = "synthetic"
CREDENTIALED = "credentialed"

# Ranges `mimicbench synth` draws from, disjoint from every value of the same column in real MIMIC-IV.
SYNTHETIC_SUBJECT_IDS = range(90_000_000, 100_000_000)  # real subject_id: 10,000,000-19,999,999
SYNTHETIC_HADM_IDS = range(80_000_000, 90_000_000)  # real hadm_id: 20,000,000-29,999,999
SYNTHETIC_STAY_IDS = range(70_000_000, 80_000_000)  # real stay_id: 30,000,000-39,999,999
SYNTHETIC_TRANSFER_IDS = range(100_000_000, 200_000_000)  # real transfer_id: 30,000,000-39,999,999
# Row ids (labevent_id, specimen_id, micro_specimen_id, microevent_id, pharmacy_id) are below 10^9 in real
# MIMIC-IV; synthetic ones start here.
SYNTHETIC_ROW_ID_BASE = 10_000_000_000


class Origin(NamedTuple):
    """The origin to act on, and why a synthetic label was not trusted (None when it was, or was not claimed)."""

    data_origin: str
    warning: str | None = None


def checked_origin(label: str, *, subject_ids: Iterable[int] = (), hadm_ids: Iterable[int] = ()) -> Origin:
    """'synthetic' only when `label` says so and every id lies in the synthetic ranges; else 'credentialed'."""
    if label != SYNTHETIC:
        return Origin(CREDENTIALED)
    for name, ids, reserved in (
        ("subject_id", subject_ids, SYNTHETIC_SUBJECT_IDS),
        ("hadm_id", hadm_ids, SYNTHETIC_HADM_IDS),
    ):
        outside = next((i for i in ids if i not in reserved), None)
        if outside is not None:
            return Origin(
                CREDENTIALED,
                f"the data is labelled synthetic but {name} {outside} lies outside the range synthetic data uses "
                f"({reserved.start:,}-{reserved.stop - 1:,}), so it is treated as credentialed.",
            )
    return Origin(SYNTHETIC)
