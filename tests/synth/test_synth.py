"""`mimicbench synth` and `synth-notes`: shape, determinism, volumes, hard cases and coherence, via the CLI."""

import gzip
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.synth.dataset import write_dataset
from generator.synth.patients import MAX_PATIENTS, ROW_ID_SPACES, scatter
from generator.synth.tables import HOSP, ICU, NOTE
from tests.conftest import run_cli

DEMO = Path(__file__).resolve().parents[2].parent / "shared" / "mimic-iv-demo"
needs_demo = pytest.mark.skipif(not (DEMO / "hosp").is_dir(), reason="the MIMIC-IV demo is not at ../shared")
TABLES = [("hosp", t) for t in HOSP] + [("icu", t) for t in ICU]
PER_ADMISSION = {
    "labevents": 290,
    "emar": 78,
    "emar_detail": 160,
    "poe": 96,
    "prescriptions": 37,
    "pharmacy": 33,
    "microbiologyevents": 7,
    "radiology": 4,
}
ABDOMINAL = ("appendicitis", "cholecystitis", "diverticulitis", "pancreatitis")


@pytest.fixture(scope="module")
def db(synthetic_dataset):
    """An in-memory DuckDB with one view per synthetic table, parsed by auto-detection."""
    con = duckdb.connect()
    for module, tables in (("hosp", HOSP), ("icu", ICU), ("note", NOTE)):
        for table in tables:
            con.execute(
                f"create view {table} as select * from read_csv_auto('{synthetic_dataset}/{module}/{table}.csv.gz')"
            )
    yield con
    con.close()


def scalar(con, sql: str):
    return con.execute(sql).fetchone()[0]


def test_same_seed_gives_byte_identical_files(tmp_path):
    for name in ("a", "b"):
        run_cli("synth", "--out", tmp_path / name, "--patients", "12", "--seed", "3")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) == len(HOSP) + len(ICU) + len(NOTE) + 2
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_files_are_the_same_whatever_the_number_of_processes(tmp_path):
    run_cli("synth", "--out", tmp_path / "one", "--patients", "12", "--seed", "3", "--jobs", "1")
    write_dataset(tmp_path / "two", 12, 3, force=False, jobs=2, block=5)
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file())
    for rel in files:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel


def test_gzip_header_has_no_name_and_no_time(synthetic_dataset):
    header = (synthetic_dataset / "hosp" / "labevents.csv.gz").read_bytes()[:10]
    assert header[3] & 0x08 == 0  # no FNAME
    assert header[4:8] == b"\0\0\0\0"  # mtime 0


@needs_demo
@pytest.mark.parametrize(("module", "table"), TABLES)
def test_header_and_parse_types_match_the_demo(synthetic_dataset, module, table):
    def header_and_types(path: Path):
        with gzip.open(path, "rt") as f:
            header = f.readline().rstrip("\n")
        types = duckdb.sql(f"describe select * from read_csv_auto('{path}')").fetchall()
        return header, [(name, kind) for name, kind, *_ in types]

    assert header_and_types(synthetic_dataset / module / f"{table}.csv.gz") == header_and_types(
        DEMO / module / f"{table}.csv.gz"
    )


def test_note_tables_have_the_mimic_iv_note_shape(synthetic_dataset, db):
    for table, header in NOTE.items():
        with gzip.open(synthetic_dataset / "note" / f"{table}.csv.gz", "rt") as f:
            assert f.readline().rstrip("\n") == header
    assert scalar(db, "select count(*) from discharge where not regexp_matches(note_id, '^\\d+-DS-\\d+$')") == 0
    assert scalar(db, "select count(*) from radiology where not regexp_matches(note_id, '^\\d+-(RR|AR)-\\d+$')") == 0
    assert {r[0] for r in db.execute("select distinct note_type from radiology").fetchall()} == {"RR", "AR"}
    fields = {r[0] for r in db.execute("select distinct field_name from radiology_detail").fetchall()}
    assert {"exam_code", "exam_name", "cpt_code", "addendum_note_id"} <= fields
    assert {r[0] for r in db.execute("select distinct field_name from discharge_detail").fetchall()} == {"author"}


def test_volumes_per_admission_are_within_30_percent_of_mimic(db):
    admissions = scalar(db, "select count(*) from admissions")
    for table, expected in PER_ADMISSION.items():
        per_admission = scalar(db, f"select count(*) from {table}") / admissions
        assert 0.7 * expected <= per_admission <= 1.3 * expected, (table, per_admission)
    share = scalar(db, "select count(distinct hadm_id) from discharge") / admissions
    assert 0.45 <= share <= 0.75


def test_admissions_per_patient_are_skewed(db):
    counts = [r[0] for r in db.execute("select count(*) from admissions group by subject_id").fetchall()]
    assert max(counts) >= 10 and counts.count(1) >= len(counts) / 4


def test_ids_are_unique_and_foreign_keys_resolve(db):
    assert scalar(db, "select count(*) - count(distinct hadm_id) from admissions") == 0
    assert scalar(db, "select count(*) - count(distinct labevent_id) from labevents") == 0
    assert scalar(db, "select count(*) - count(distinct microevent_id) from microbiologyevents") == 0
    assert scalar(db, "select count(*) - count(distinct emar_id) from emar") == 0
    assert scalar(db, "select count(*) - count(distinct pharmacy_id) from pharmacy") == 0
    assert scalar(db, "select count(*) from emar where not regexp_matches(emar_id, '^\\d+-\\d+$')") == 0
    orphans = {
        "emar.pharmacy_id": "from emar where pharmacy_id not in (select pharmacy_id from pharmacy)",
        "emar.poe_id": "from emar where poe_id not in (select poe_id from poe)",
        "prescriptions.pharmacy_id": "from prescriptions where pharmacy_id not in (select pharmacy_id from pharmacy)",
        "emar_detail.emar_id": "from emar_detail where emar_id not in (select emar_id from emar)",
        "poe_detail.poe_id": "from poe_detail where poe_id not in (select poe_id from poe)",
        "labevents.itemid": "from labevents where itemid not in (select itemid from d_labitems)",
        "diagnoses": "from diagnoses_icd anti join d_icd_diagnoses using (icd_code, icd_version)",
        "procedures": "from procedures_icd anti join d_icd_procedures using (icd_code, icd_version)",
        "subject of hadm": "from labevents l join admissions a using (hadm_id) where l.subject_id <> a.subject_id",
        "note hadm": "from discharge where hadm_id not in (select hadm_id from admissions)",
        "radiology hadm": "from radiology where hadm_id not in (select hadm_id from admissions)",
        "patients": "from admissions where subject_id not in (select subject_id from patients)",
    }
    for name, rest in orphans.items():
        assert scalar(db, f"select count(*) {rest}") == 0, name


def test_lab_and_micro_rows_without_hadm_id_fall_inside_near_and_outside_windows(db):
    for table in ("labevents", "microbiologyevents"):
        db.execute(f"""create or replace temp view placed as
            select e.charttime,
                   bool_or(e.charttime between a.admittime and a.dischtime) as inside,
                   bool_or(e.charttime between a.edregtime and a.admittime) as in_ed,
                   bool_or(e.charttime between a.admittime - interval 3 day and a.dischtime + interval 3 day)
                       as near
            from {table} e join admissions a using (subject_id)
            where e.hadm_id is null and e.charttime is not null group by all""")
        assert scalar(db, "select count(*) from placed where inside") > 0, table
        assert scalar(db, "select count(*) from placed where in_ed") > 0, table
        assert scalar(db, "select count(*) from placed where not near") > 0, table
        if table == "labevents":
            assert scalar(db, "select count(*) from placed where near and not inside and not in_ed") > 0


def test_emar_rows_without_hadm_id_link_by_pharmacy_poe_or_time_only(db):
    unlinked = "from emar e where e.hadm_id is null"
    assert scalar(db, f"select count(*) {unlinked} and e.pharmacy_id in (select pharmacy_id from pharmacy)") > 0
    by_poe = "and e.pharmacy_id is null and e.poe_id in (select poe_id from poe where hadm_id is not null)"
    assert scalar(db, f"select count(*) {unlinked} {by_poe}") > 0
    by_time = (
        "and e.pharmacy_id is null and e.poe_id in (select poe_id from poe where hadm_id is null) and exists "
        "(select 1 from admissions a where a.subject_id = e.subject_id and e.charttime between a.admittime "
        "and a.dischtime)"
    )
    assert scalar(db, f"select count(*) {unlinked} {by_time}") > 0


def test_radiology_without_hadm_id_inside_and_outside_admissions(db):
    db.execute("""create or replace temp view rad as
        select r.note_id, bool_or(r.charttime between coalesce(a.edregtime, a.admittime) and a.dischtime) as inside
        from radiology r join admissions a using (subject_id) where r.hadm_id is null group by all""")
    assert scalar(db, "select count(*) from rad where inside") > 0
    assert scalar(db, "select count(*) from rad where not inside") > 0


def test_timestamp_ties_and_awkward_values_are_present(db, synthetic_dataset):
    ties = "select count(*) from (select subject_id, charttime from emar group by all having count(*) > 1)"
    assert scalar(db, ties) > 0
    assert scalar(db, "select count(*) from labevents where comments like '%\n%'") > 0
    assert scalar(db, "select count(*) from labevents where comments like '%\"%' and comments like '%,%'") > 0
    with gzip.open(synthetic_dataset / "hosp" / "labevents.csv.gz", "rt") as f:
        assert '"Verified by replicate analysis. Called to RN ___ at 10:15, ""read back"" confirmed."' in f.read()


def test_a_share_of_admissions_has_an_acute_abdominal_first_diagnosis_with_coherent_rows(db):
    db.execute(f"""create or replace temp view abdominal as
        select d.hadm_id, t.long_title,
               {" ".join(f"when t.long_title ilike '%{k}%' then '{k}'" for k in ABDOMINAL).join(("case ", " end"))}
                   as pathology
        from diagnoses_icd d join d_icd_diagnoses t using (icd_code, icd_version)
        where d.seq_num = 1 and pathology is not null""")
    share = scalar(db, "select count(*) from abdominal") / scalar(db, "select count(*) from admissions")
    assert 0.2 <= share <= 0.3
    assert scalar(db, "select count(distinct pathology) from abdominal") == 4
    missing_labs = """select count(*) from abdominal b where 3 > (select count(distinct l.itemid) from labevents l
        join admissions a using (subject_id) where a.hadm_id = b.hadm_id and l.itemid in (51301, 50956, 50861)
        and l.charttime between coalesce(a.edregtime, a.admittime) and a.dischtime)"""
    assert scalar(db, missing_labs) == 0
    imaging = """select count(*) from abdominal b where not exists (select 1 from radiology r
        join radiology_detail d using (note_id) join admissions a on a.subject_id = r.subject_id
        where a.hadm_id = b.hadm_id and d.field_name = 'exam_name' and regexp_matches(d.field_value, '^(CT|US) ABD')
        and r.charttime between coalesce(a.edregtime, a.admittime) and a.dischtime)"""
    assert scalar(db, imaging) == 0
    surgery = """select count(*) from abdominal b where pathology in ('appendicitis', 'cholecystitis')
        and not exists (select 1 from procedures_icd p where p.hadm_id = b.hadm_id)"""
    assert scalar(db, surgery) == 0
    notes = db.execute("select b.pathology, n.text from abdominal b join discharge n using (hadm_id)").fetchall()
    assert len(notes) == scalar(db, "select count(*) from abdominal")
    for pathology, text in notes:
        hpi = text.split("History of Present Illness:\n")[1].split("\n \n")[0]
        exam = text.split("ADMISSION PHYSICAL EXAM:\n")[1].split("DISCHARGE PHYSICAL EXAM:")[0]
        diagnosis = text.split("Discharge Diagnosis:\n")[1].split("Secondary diagnoses:")[0]
        assert len(hpi) > 40 and len(exam.strip()) >= 40
        assert pathology in diagnosis.lower()


def test_discharge_notes_agree_with_their_admission(db):
    rows = db.execute("""select n.text, n.subject_id = a.subject_id,
            (select list(t.long_title order by d.seq_num) from diagnoses_icd d
             join d_icd_diagnoses t using (icd_code, icd_version) where d.hadm_id = n.hadm_id),
            (select list(distinct p.drug) from prescriptions p where p.hadm_id = n.hadm_id)
        from discharge n join admissions a using (hadm_id)""").fetchall()
    assert rows
    for text, same_subject, titles, drugs in rows:
        assert same_subject
        for header in (
            "Chief Complaint:",
            "Past Medical History:",
            "Pertinent Results:",
            "Brief Hospital Course:",
            "Medications on Admission:",
            "Discharge Disposition:",
            "Discharge Condition:",
            "Discharge Instructions:",
            "Followup Instructions:",
            "Service:",
        ):
            assert header in text
        secondary = text.split("Secondary diagnoses:\n")[1].split("\n \n")[0]
        assert secondary == ("\n".join(titles[1:6]) or "None")
        medications = text.split("Discharge Medications:\n")[1].split("\n \n")[0]
        for line in medications.splitlines():
            if line != "None":
                assert any(line.split(". ", 1)[1].startswith(drug + " ") for drug in drugs), line


@needs_demo
def test_synth_notes_writes_notes_for_the_demo_admissions(demo_notes):
    con = duckdb.connect()
    admissions = f"read_csv_auto('{DEMO}/hosp/admissions.csv.gz')"
    for table in ("discharge", "radiology"):
        notes = f"read_csv_auto('{demo_notes}/{table}.csv.gz')"
        assert scalar(con, f"select count(*) from {notes}") > 0
        assert scalar(con, f"select count(*) from {notes} where hadm_id not in (select hadm_id from {admissions})") == 0
        subjects = (
            f"select count(*) from {notes} n join {admissions} a using (hadm_id) where n.subject_id <> a.subject_id"
        )
        assert scalar(con, subjects) == 0
    share = scalar(con, f"select count(distinct hadm_id) from read_csv_auto('{demo_notes}/discharge.csv.gz')") / 275
    assert 0.4 <= share <= 0.8


def invoke(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def test_refuses_a_non_empty_output_folder_without_force(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    code, output = invoke("synth", "--out", tmp_path / "out", "--patients", "2")
    assert code != 0 and "--force" in output and len(output.strip().splitlines()) == 1
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"
    run_cli("synth", "--out", tmp_path / "out", "--patients", "2", "--force")
    assert not (tmp_path / "out" / "keep.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_rejects_a_bad_patient_count(tmp_path):
    code, output = invoke("synth", "--out", tmp_path / "out", "--patients", "0")
    assert code != 0 and "--patients" in output
    assert not (tmp_path / "out").exists()


def test_synth_notes_explains_a_missing_or_incomplete_mimic_dir(tmp_path):
    code, output = invoke("synth-notes", "--mimic-dir", tmp_path / "nowhere", "--out", tmp_path / "notes")
    assert code != 0 and "--mimic-dir" in output and len(output.strip().splitlines()) == 1
    (tmp_path / "empty" / "hosp").mkdir(parents=True)
    code, output = invoke("synth-notes", "--mimic-dir", tmp_path / "empty", "--out", tmp_path / "notes")
    assert code != 0 and "hosp/admissions.csv.gz" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


@pytest.mark.parametrize("kind", sorted(ROW_ID_SPACES))
def test_row_ids_of_the_largest_dataset_never_collide(kind):
    """At --patients MAX_PATIENTS (MIMIC-IV's size is about 201,000) no two patients share an id: their ranges
    fit the space the ids are scattered over, and the scatter is a bijection of it."""
    most, space = ROW_ID_SPACES[kind]
    assert MAX_PATIENTS * most <= space
    last_patients = range((MAX_PATIENTS - 3) * most, MAX_PATIENTS * most, 997)
    first_patients = range(0, 3 * most, 997)
    scattered = [scatter(n, space) for n in (*first_patients, *last_patients)]
    assert len(set(scattered)) == len(scattered) and all(0 <= n < space for n in scattered)
