{#- "What was the patient's <lab> in admission k?" for a test of the lab dictionary absent from the patient's
    whole record: the gold is "not documented". The pool is `qa_absent_lab_pool` tests of the dictionary drawn
    by the seeded hash (patients times pool rows, never patients times results); each patient's draw and
    admission follow the hash too. -#}
with lab_results as (

    select * from {{ ref('int_qa__lab_results') }}

),

lab_items as (

    select * from {{ ref('stg_mimic_hosp__d_labitems') }}

),

admissions as (

    select * from {{ ref('int_qa__admissions') }}

),

pool as (

    select label
    from lab_items
    where label is not null
    group by label
    order by hash('{{ var("qa_seed") }}|' || label), label
    limit {{ var('qa_absent_lab_pool') }}

),

patients as (

    select
        subject_id,
        any_value(n_admissions) as n_admissions
    from admissions
    group by subject_id

),

measured as (

    select distinct
        subject_id,
        label
    from lab_results

),

absent as (

    select
        patients.subject_id,
        patients.n_admissions,
        pool.label
    from patients
    cross join pool
    anti join measured
        on
        patients.subject_id = measured.subject_id
        and pool.label = measured.label

),

sampled as (

    select
        *,
        {{ qa_sample_rank('subject_id', "cast(subject_id as varchar) || '|' || label") }} as sample_rank,
        1 + hash('{{ var("qa_seed") }}|' || subject_id || '|' || label) % n_admissions as admission_index
    from absent
    qualify sample_rank <= {{ var('qa_candidates_per_family') }}

),

final as (

    select
        subject_id,
        'absent_from_record' as family,
        label as item_key,
        'What was the patient''s ' || label || ' in admission ' || admission_index || '?' as question,
        'number' as answer_type,
        label as analyte,
        cast(null as varchar) as gold_text,
        cast(null as double) as gold_number,
        cast(null as varchar) as gold_unit,
        cast([] as varchar[]) as options,
        cast([] as varchar[]) as evidence_eids,
        cast([] as varchar[]) as evidence_values,
        cast([] as integer[]) as evidence_admission_indexes,
        cast(admission_index as integer) as asked_after_index,
        'not_documented' as expected,
        sample_rank
    from sampled

)

select * from final
