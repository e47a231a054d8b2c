"""Rewrite the table of packet sections in docs/architecture.md from the registry (dbt_project.yml).

Usage: .venv/bin/python scripts/sections_table.py   (tests/test_sections.py checks that the two agree)
"""

import re
from pathlib import Path

from generator.sections import PACKET_SECTIONS, sections_table

DOCS = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
TABLE = re.compile(r"^\| section \| ranking model \|.*?\n(?!\|)", re.MULTILINE | re.DOTALL)


def main() -> None:
    text = DOCS.read_text()
    if not TABLE.search(text):
        raise SystemExit(f"{DOCS} has no table of packet sections (a header line '| section | ranking model |').")
    DOCS.write_text(TABLE.sub(lambda _: sections_table(PACKET_SECTIONS), text, count=1))


if __name__ == "__main__":
    main()
