{#-
    Eligible admissions (the anchor's rules): the first primary discharge diagnosis names a pathology the
    admission is also ICD-coded with; the note has a history of present illness; the admission exam has at
    least `cdm_min_exam_chars` characters; at least one lab; at least one abdominal imaging report.
-#}
with icd_candidates as (

    select * from {{ ref('int_cdm__icd_candidates') }}

),

diagnoses as (

    select * from {{ ref('int_cdm__discharge_diagnoses') }}

),

history as (

    select * from {{ ref('int_cdm__history') }}

),

exams as (

    select * from {{ ref('int_cdm__physical_exam') }}

),

labs as (

    select * from {{ ref('int_cdm__labs') }}

),

radiology as (

    select * from {{ ref('int_cdm__radiology') }}

),

first_diagnosis as (

    select note_id, hadm_id, pathology
    from diagnoses
    where seq_num = 1 and pathology is not null

),

lab_counts as (

    select hadm_id, count(*) as lab_count
    from labs
    where first_rank = 1
    group by hadm_id

),

imaging_counts as (

    select hadm_id, count(*) as abdominal_imaging_count
    from radiology
    where region = 'Abdomen'
    group by hadm_id

),

final as (

    select
        icd_candidates.subject_id,
        icd_candidates.hadm_id,
        icd_candidates.pathology,
        first_diagnosis.note_id as discharge_note_id,
        history.hpi,
        history.pmh,
        exams.admission_exam,
        lab_counts.lab_count,
        imaging_counts.abdominal_imaging_count
    from icd_candidates
    inner join first_diagnosis
        on first_diagnosis.hadm_id = icd_candidates.hadm_id
        and first_diagnosis.pathology = icd_candidates.pathology
    inner join history on history.note_id = first_diagnosis.note_id
    inner join exams on exams.note_id = first_diagnosis.note_id
    inner join lab_counts on lab_counts.hadm_id = icd_candidates.hadm_id
    inner join imaging_counts on imaging_counts.hadm_id = icd_candidates.hadm_id
    where history.hpi is not null
        and {{ dbt.length('exams.admission_exam') }} >= {{ var('cdm_min_exam_chars') }}

)

select * from final
