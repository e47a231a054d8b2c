"""`mimicbench generate-cohort`: what it asks of its arguments before any work starts."""

from click.testing import CliRunner

from generator.cli import cli


def invoke(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["generate-cohort", "--backend", "template", *[str(a) for a in args]])
    return result.exit_code, result.output


def test_exactly_one_of_cohort_and_limit_is_asked_for(tmp_path):
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("subject_id\n1\n")
    for args in [(), ("--cohort", cohort, "--limit", 1)]:
        code, output = invoke(*args, "--db", tmp_path / "warehouse.duckdb")
        assert code == 2 and "Give exactly one of --cohort CSV and --limit N." in output


def test_a_cohort_file_without_subject_ids_is_a_one_line_error(tmp_path):
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("patient\n1\n")
    code, output = invoke("--cohort", cohort, "--db", tmp_path / "warehouse.duckdb")
    assert (code, output) == (
        1,
        f"Error: {cohort} needs a subject_id column of whole numbers, as `mimicbench cohort` writes.\n",
    )
