"""Prompt size: the compact rendering of a packet's rows against the same rows as canonical JSON.

Usage: .venv/bin/python bench/bench_prompt.py [--db build/warehouse.duckdb] [--patients 50]

Reads the packets of the first N cohort patients' admissions from a warehouse (e.g. one built by
`mimicbench build` over `mimicbench synth`), renders each with `generator.prompt.render_sections`, and compares
its characters with the canonical JSON (sorted keys, compact) of the same section rows. Reports the ratio for
all rows, for structured rows only and for note rows only (note text is kept whole, so it barely shrinks), the
whole user message against the canonical packet, and the render time. Prints a Markdown table.
"""

import argparse
import statistics
import time
from pathlib import Path

from generator.packet import Packet
from generator.prompt import canonical_json, render_prompt, render_sections
from generator.warehouse import Warehouse

NOTE_SECTIONS = {"discharge_notes", "radiology_notes"}


def sizes(packet: Packet, keep) -> tuple[int, int]:
    """(rendered characters, canonical JSON characters) of the sections `keep` selects."""
    sections = {name: section for name, section in packet.sections.items() if keep(name)}
    rendered = render_sections(packet.model_copy(update={"sections": sections}))
    return len(rendered), len(canonical_json({name: section.rows for name, section in sections.items()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("build/warehouse.duckdb"))
    parser.add_argument("--patients", type=int, default=50)
    args = parser.parse_args()

    warehouse = Warehouse(args.db)
    packets = [
        warehouse.packet(ref.hadm_id)
        for patient in warehouse.cohort(args.patients)
        for ref in warehouse.admissions(patient["subject_id"])
    ]
    groups = {
        "all rows": lambda name: True,
        "structured rows": lambda name: name not in NOTE_SECTIONS,
        "note rows": lambda name: name in NOTE_SECTIONS,
    }
    print(f"{len(packets)} packets from {args.db} ({warehouse.data_origin()})\n")
    print("| rows | rendered chars | canonical JSON chars | ratio (total) | ratio per packet, median | max |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, keep in groups.items():
        pairs = [sizes(packet, keep) for packet in packets]
        pairs = [(r, c) for r, c in pairs if c]
        rendered, canonical = sum(r for r, _ in pairs), sum(c for _, c in pairs)
        ratios = [r / c for r, c in pairs]
        print(
            f"| {label} | {rendered:,} | {canonical:,} | {rendered / canonical:.1%} | "
            f"{statistics.median(ratios):.1%} | {max(ratios):.1%} |"
        )
    started = time.perf_counter()
    users = [len(render_prompt(packet, None).user) for packet in packets]
    per_packet_ms = (time.perf_counter() - started) * 1000 / len(packets)
    whole = sum(len(canonical_json(packet.model_dump(mode="json"))) for packet in packets)
    print(
        f"\nWhole user message vs canonical packet JSON: {sum(users):,} / {whole:,} = {sum(users) / whole:.1%}; "
        f"render time {per_packet_ms:.2f} ms per packet."
    )


if __name__ == "__main__":
    main()
