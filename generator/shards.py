"""Shards: a deterministic share of a cohort's patients (or of CDM cases), so that N processes on N machines
split one run without talking to each other.

A key (a subject id; a CDM case's admission id) belongs to shard K of N when the SHA-256 of its decimal text,
read as a number, is K-1 modulo N. The hash never changes between processes, machines or Python versions (unlike
`hash()`), and it depends on the key alone: adding patients to a cohort moves none that were there.
"""

import hashlib
import re
from dataclasses import dataclass

SHARD_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class ShardError(ValueError):
    """A shard given as anything but K/N with 1 <= K <= N; the message shows the form to use."""


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count` (1-based, as Slurm's `--array=1-N` numbers its tasks)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        match = SHARD_SPEC.match(text)
        if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
            raise ShardError(f"{text!r} is not a shard: give K/N with 1 <= K <= N, e.g. --shard 2/8.")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def name(self) -> str:
        """`shard-K-of-N`: how the shard's own files are named."""
        return f"shard-{self.index}-of-{self.count}"

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, key: int) -> bool:
        return shard_of(key, self.count) == self.index


def shard_of(key: int, count: int) -> int:
    """The 1-based shard of `count` that `key` belongs to."""
    digest = hashlib.sha256(str(key).encode("ascii")).digest()
    return int.from_bytes(digest, "big") % count + 1
