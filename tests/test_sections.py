"""The registry of packet sections (dbt_project.yml's `packet_sections`) against the built marts and the docs."""

import shutil

import duckdb
import pytest
import yaml

from generator.sections import PACKET_SECTIONS, PROJECT_FILE, SectionRegistryError, read_sections, sections_table
from tests.conftest import REPO_ROOT
from tests.test_build import build

COMMON_COLUMNS = ("subject_id", "hadm_id", "eid", "t_rel_min", "seq", "keep_priority", "is_kept")


def test_every_declared_section_has_its_mart_with_the_declared_columns_and_no_other_section_mart_exists(
    synthetic_warehouse,
):
    with duckdb.connect(str(synthetic_warehouse), read_only=True) as con:
        columns = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'marts' and starts_with(table_name, 'mart_packet_') order by ordinal_position"
        ).fetchall():
            columns.setdefault(table, []).append(column)
        views = con.execute("select view_name from duckdb_views() where schema_name = 'intermediate'").fetchall()
    ranking_views = {name for (name,) in views}
    assert set(columns) == {f"mart_packet_{section.name}" for section in PACKET_SECTIONS}
    for section in PACKET_SECTIONS:
        assert tuple(columns[f"mart_packet_{section.name}"]) == COMMON_COLUMNS + section.columns, section.name
        assert section.model in ranking_views, section.name


def test_every_section_row_carries_its_declared_evidence_prefix(synthetic_warehouse):
    with duckdb.connect(str(synthetic_warehouse), read_only=True) as con:
        for section in PACKET_SECTIONS:
            rows, prefixed = con.execute(
                f"select count(*), count(*) filter (where starts_with(eid, '{section.evidence_prefix}#'))"
                f" from marts.mart_packet_{section.name}"
            ).fetchone()
            assert rows == prefixed, section.name


def test_every_section_mart_declares_its_evidence_ids_unique():
    """assert_evidence_ids_unique_per_patient leaves each section's own ids to this test."""
    models = yaml.safe_load((REPO_ROOT / "models" / "marts" / "_marts__models.yml").read_text())["models"]
    eid_tests = {
        model["name"]: column.get("data_tests", [])
        for model in models
        for column in model.get("columns", [])
        if column["name"] == "eid"
    }
    for section in PACKET_SECTIONS:
        assert {"unique", "not_null"} <= set(eid_tests[f"mart_packet_{section.name}"]), section.name


def test_every_section_mart_declares_its_numbers_one_to_n_per_admission():
    """seq and keep_priority: caps keep rows by keep_priority, packets order them by seq."""
    models = yaml.safe_load((REPO_ROOT / "models" / "marts" / "_marts__models.yml").read_text())["models"]
    numbered = {
        model["name"]: test["numbered_within"]["arguments"]
        for model in models
        for test in model.get("data_tests", [])
        if isinstance(test, dict) and "numbered_within" in test
    }
    for section in PACKET_SECTIONS:
        arguments = numbered[f"mart_packet_{section.name}"]
        assert arguments["group_by"] == "hadm_id" and {"seq", "keep_priority"} <= set(arguments["columns"])


def check_evidence_ids(dataset, db):
    return build(dataset, db, "--select", "assert_evidence_ids_unique_per_patient")


def test_an_unlinked_note_id_equal_to_a_linked_one_of_the_patient_fails_the_evidence_id_test(
    synthetic_dataset, synthetic_warehouse, tmp_path
):
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(synthetic_warehouse, db)
    assert check_evidence_ids(synthetic_dataset, db).exit_code == 0
    with duckdb.connect(str(db)) as con:
        subject_id, eid = con.execute(
            "select subject_id, eid from marts.mart_packet_radiology_notes order by eid limit 1"
        ).fetchone()
        updated = con.execute(
            "update marts.mart_notes_unlinked set subject_id = ?, eid = ?"
            " where note_id = (select min(note_id) from marts.mart_notes_unlinked where note_kind = 'radiology')",
            [subject_id, eid],
        ).fetchone()[0]
    assert updated == 1

    result = check_evidence_ids(synthetic_dataset, db)

    assert result.exit_code == 1 and "assert_evidence_ids_unique_per_patient" in result.output, result.output


def test_each_section_has_exactly_one_cap_var_and_there_are_no_others():
    dbt_vars = yaml.safe_load(PROJECT_FILE.read_text())["vars"]
    assert {name for name in dbt_vars if name.startswith("cap_")} == {s.cap_var for s in PACKET_SECTIONS}
    assert [s.default_cap for s in PACKET_SECTIONS] == [dbt_vars[s.cap_var] for s in PACKET_SECTIONS]


def test_the_docs_table_of_sections_is_the_registry():
    docs = (REPO_ROOT / "docs" / "architecture.md").read_text()
    assert sections_table(PACKET_SECTIONS) in docs, "regenerate it: python scripts/sections_table.py"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda v: v["packet_sections"].reverse(), "not declared before it"),
        (lambda v: v.pop("cap_labs"), "has no var cap_labs"),
        (lambda v: v["packet_sections"][0]["prompt_columns"].append("nonsense"), "does not list it in its columns"),
        (lambda v: v["packet_sections"].append(v["packet_sections"][0]), "declared twice"),
        (lambda v: v["packet_sections"][0].pop("evidence_prefix"), "malformed"),
    ],
)
def test_a_registry_that_disagrees_with_itself_is_refused_with_what_to_fix(tmp_path, edit, message):
    project = yaml.safe_load(PROJECT_FILE.read_text())
    edit(project["vars"])
    broken = tmp_path / "dbt_project.yml"
    broken.write_text(yaml.safe_dump(project))
    with pytest.raises(SectionRegistryError, match=message):
        read_sections(broken)
