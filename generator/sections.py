"""The packet sections: read from the `packet_sections` var of dbt_project.yml, their one declaration.

dbt reads the same list (macros/packet_sections.sql). A section names its ranking model, its parent section
(whose kept rows its rows need), its evidence-id prefix, its mart's columns (besides the common subject_id,
hadm_id, eid, t_rel_min, seq, keep_priority and is_kept) and the columns the prompt shows; its cap is the dbt
var `cap_<name>`, whose value in dbt_project.yml is the default.
"""

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from generator.build import PROJECT_DIR

PROJECT_FILE = PROJECT_DIR / "dbt_project.yml"


class SectionRegistryError(Exception):
    """The `packet_sections` var of dbt_project.yml is malformed; the message says what to fix."""


class PacketSection(BaseModel):
    """One packet section as declared in dbt_project.yml, with its default cap (var `cap_<name>`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    model: str
    parent: str | None
    evidence_prefix: str
    columns: tuple[str, ...]
    prompt_columns: tuple[str, ...]
    default_cap: int | None

    @property
    def cap_var(self) -> str:
        return f"cap_{self.name}"


def read_sections(project_file: Path) -> tuple[PacketSection, ...]:
    """The sections declared in `project_file`, in packet order; SectionRegistryError when they disagree."""
    dbt_vars = yaml.safe_load(project_file.read_text())["vars"]
    sections: list[PacketSection] = []
    for entry in dbt_vars.get("packet_sections") or []:
        name = entry.get("name") if isinstance(entry, dict) else None
        cap_var = f"cap_{name}"
        if cap_var not in dbt_vars:
            raise SectionRegistryError(f"{project_file}: packet section {name!r} has no var {cap_var}: declare it.")
        try:
            section = PacketSection(**entry, default_cap=dbt_vars[cap_var])
        except (TypeError, ValidationError) as error:
            raise SectionRegistryError(f"{project_file}: packet section {name!r} is malformed: {error}") from error
        _check(section, sections, project_file)
        sections.append(section)
    if not sections:
        raise SectionRegistryError(f"{project_file} declares no packet_sections var: restore it.")
    return tuple(sections)


def _check(section: PacketSection, before: list[PacketSection], project_file: Path) -> None:
    names = {earlier.name for earlier in before}
    if section.name in names:
        raise SectionRegistryError(f"{project_file}: packet section {section.name!r} is declared twice.")
    if section.parent is not None and section.parent not in names:
        raise SectionRegistryError(
            f"{project_file}: packet section {section.name!r} names parent {section.parent!r}, which is not "
            "declared before it: declare the parent first."
        )
    not_in_mart = [column for column in section.prompt_columns if column not in section.columns]
    if not_in_mart:
        raise SectionRegistryError(
            f"{project_file}: packet section {section.name!r} shows {', '.join(not_in_mart)} in the prompt but "
            "does not list it in its columns."
        )
    if section.default_cap is not None and section.default_cap < 0:
        raise SectionRegistryError(f"{project_file}: var {section.cap_var} is negative: use a cap >= 0, or null.")


def sections_table(sections: tuple[PacketSection, ...]) -> str:
    """The sections as the markdown table of docs/architecture.md (scripts/sections_table.py writes it there)."""
    lines = [
        "| section | ranking model | parent | cap var (default) | evidence id | columns shown in the prompt |",
        "|---|---|---|---|---|---|",
    ]
    for section in sections:
        parent = f"`{section.parent}`" if section.parent else ""
        cap = "uncapped" if section.default_cap is None else section.default_cap
        lines.append(
            f"| `{section.name}` | `{section.model}` | {parent} | `{section.cap_var}` ({cap}) | "
            f"`{section.evidence_prefix}#` | {', '.join(section.prompt_columns)} |"
        )
    return "\n".join(lines) + "\n"


PACKET_SECTIONS = read_sections(PROJECT_FILE)
SECTION_BY_NAME = {section.name: section for section in PACKET_SECTIONS}
