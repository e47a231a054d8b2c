"""`mimicbench synth-notes`: note tables for an existing hosp dataset (e.g. the open MIMIC-IV demo),
read with DuckDB one admission at a time, typed by column name."""

import random
from pathlib import Path

import duckdb

from generator import __version__
from generator.synth import SynthError
from generator.synth.conditions import matching
from generator.synth.dictionaries import lab_items
from generator.synth.events import NOTE_LAB_ITEMS
from generator.synth.facts import AdmissionFacts, LabValue
from generator.synth.marker import SyntheticMarker, fingerprint, marker_origin, write_marker
from generator.synth.notes import NoteWriter
from generator.synth.tables import NOTE
from generator.synth.writer import TableSet, staged_output

DISCHARGE_NOTE_SHARE = 0.6
NEEDED = (
    "admissions",
    "patients",
    "diagnoses_icd",
    "d_icd_diagnoses",
    "procedures_icd",
    "d_icd_procedures",
    "services",
    "prescriptions",
    "labevents",
)
BATCH = 2_000

QUERY = """
with
adm as (
    select subject_id::bigint as subject_id, hadm_id::bigint as hadm_id, admittime::timestamp as admittime,
           dischtime::timestamp as dischtime, edregtime::timestamp as edregtime, discharge_location,
           hospital_expire_flag::int = 1 as died
    from {admissions}
),
pat as (
    select subject_id::bigint as subject_id, gender, anchor_age::int as anchor_age, anchor_year::int as anchor_year
    from {patients}
),
dx as (
    select d.hadm_id::bigint as hadm_id, list(t.long_title order by d.seq_num::int) as diagnoses
    from {diagnoses_icd} d join {d_icd_diagnoses} t using (icd_code, icd_version)
    group by 1
),
px as (
    select p.hadm_id::bigint as hadm_id, list(t.long_title order by p.seq_num::int) as procedures
    from {procedures_icd} p join {d_icd_procedures} t using (icd_code, icd_version)
    group by 1
),
svc as (
    select hadm_id::bigint as hadm_id, arg_min(curr_service, transfertime::timestamp) as service
    from {services} group by 1
),
rx as (
    select hadm_id::bigint as hadm_id,
           list(distinct concat_ws(' ', drug, dose_val_rx, dose_unit_rx, route) order by
                concat_ws(' ', drug, dose_val_rx, dose_unit_rx, route)) as medications
    from {prescriptions}
    where drug_type = 'MAIN' and (route like 'PO%' or route in ('SC', 'IH'))
    group by 1
),
lab_rows as (
    select hadm_id::bigint as hadm_id, itemid::bigint as itemid, charttime::timestamp as charttime, value,
           flag is not null as abnormal
    from {labevents}
    where hadm_id is not null and itemid::bigint in ({lab_ids}) and value is not null
),
labs as (
    select hadm_id, list({{'itemid': itemid, 'charttime': charttime, 'value': value, 'abnormal': abnormal}}
                         order by charttime, itemid) as labs
    from (
        select hadm_id, itemid, min(charttime) as charttime, arg_min(value, charttime) as value,
               arg_min(abnormal, charttime) as abnormal
        from lab_rows group by all
        union all
        select hadm_id, itemid, max(charttime), arg_max(value, charttime), arg_max(abnormal, charttime)
        from lab_rows group by all
    )
    group by 1
)
select adm.*, pat.gender, pat.anchor_age, pat.anchor_year, dx.diagnoses, px.procedures, svc.service,
       rx.medications, labs.labs
from adm join pat using (subject_id)
left join dx using (hadm_id) left join px using (hadm_id) left join svc using (hadm_id)
left join rx using (hadm_id) left join labs using (hadm_id)
order by adm.subject_id, adm.admittime, adm.hadm_id
"""


def _sources(mimic_dir: Path) -> dict[str, str]:
    """read_csv expressions for the hosp tables, or a SynthError saying which file is missing."""
    if not (mimic_dir / "hosp" / "admissions.csv.gz").is_file():
        raise SynthError(
            f"{mimic_dir} has no hosp/admissions.csv.gz; point --mimic-dir at a folder holding MIMIC-IV hosp/."
        )
    sources = {}
    for table in NEEDED:
        path = mimic_dir / "hosp" / f"{table}.csv.gz"
        if not path.is_file():
            raise SynthError(f"{path} is missing; --mimic-dir needs the MIMIC-IV hosp tables.")
        quoted = str(path).replace("'", "''")
        sources[table] = f"read_csv('{quoted}', header = true, all_varchar = true)"
    return sources


def admissions(mimic_dir: Path, seed: int):
    """AdmissionFacts of every admission, grouped by subject in file order of (subject, admittime)."""
    labels = {item.itemid: item.label for item in lab_items().values()}
    query = QUERY.format(**_sources(mimic_dir), lab_ids=", ".join(str(i) for i in sorted(NOTE_LAB_ITEMS)))
    with duckdb.connect() as con:
        try:
            cursor = con.execute(query)
        except duckdb.Error as error:
            message = f"cannot read {mimic_dir}/hosp ({error}); check the files are MIMIC-IV csv.gz."
            raise SynthError(message) from error
        names = [d[0] for d in cursor.description]
        while rows := cursor.fetchmany(BATCH):
            for row in rows:
                yield _facts(dict(zip(names, row, strict=True)), labels, seed)


def _facts(row: dict, labels: dict[int, str], seed: int) -> AdmissionFacts:
    rng = random.Random(f"{seed}:discharge:{row['hadm_id']}")
    diagnoses = row["diagnoses"] or ["Unspecified condition"]
    condition = matching(diagnoses[0])
    return AdmissionFacts(
        subject_id=row["subject_id"],
        hadm_id=row["hadm_id"],
        gender=row["gender"],
        age=row["anchor_age"] + row["admittime"].year - row["anchor_year"],
        admittime=row["admittime"],
        dischtime=row["dischtime"],
        edregtime=row["edregtime"],
        service=row["service"] or "MED",
        discharge_location=row["discharge_location"],
        died=row["died"],
        diagnoses=diagnoses,
        procedures=row["procedures"] or [],
        labs=[
            LabValue(
                charttime=lab["charttime"], label=labels[lab["itemid"]], value=lab["value"], abnormal=lab["abnormal"]
            )
            for lab in row["labs"] or []
        ],
        medications=row["medications"] or [],
        has_discharge_note=condition is not None or rng.random() < DISCHARGE_NOTE_SHARE,
    )


def write_notes_for(mimic_dir: Path, out: Path, seed: int, force: bool) -> dict[str, int]:
    """Write the four note tables for the admissions under `mimic_dir` into `out`; returns rows per table.

    The notes quote the admissions' diagnoses, labs and medications, so their marker records the origin of
    `mimic_dir`: notes written for real MIMIC-IV admissions are credentialed, whatever wrote them."""
    if not mimic_dir.is_dir():
        raise SynthError(f"{mimic_dir} is not a folder; point --mimic-dir at a MIMIC-IV dataset.")
    facts = admissions(mimic_dir, seed)
    with staged_output(out, force) as staging:
        tables = TableSet({table: staging for table in NOTE})
        try:
            writer: NoteWriter | None = None
            for admission in facts:
                if writer is None or writer.subject_id != admission.subject_id:
                    if writer:
                        tables.write(writer.rows)
                    rng = random.Random(f"{seed}:notes:{admission.subject_id}")
                    writer = NoteWriter(admission.subject_id, rng, admission.gender)
                writer.admission(admission, matching(admission.diagnoses[0]))
            if writer:
                tables.write(writer.rows)
        finally:
            tables.close()
        marker = SyntheticMarker(
            generator="mimicbench synth-notes",
            version=__version__,
            seed=seed,
            source_origin=marker_origin(mimic_dir).data_origin,
            files=fingerprint(staging),
        )
        write_marker(staging, marker)
    return tables.row_counts()
