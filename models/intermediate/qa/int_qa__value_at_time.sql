{#- "What was the patient's <lab> at <time> in admission k?" about an admission's first result of a test, only
    where no other result of that test shares its time, so the gold is one row. A seeded sample per patient,
    results flagged abnormal first (the results a clinician discusses). -#}
with first_lab_results as (

    select * from {{ ref('int_qa__first_lab_results') }}

),

sampled as (

    select
        *,
        {{ qa_sample_rank('subject_id', 'eid', 'flag is null') }} as sample_rank
    from first_lab_results
    qualify sample_rank <= {{ var('qa_candidates_per_family') }}

),

final as (

    select
        subject_id,
        'value_at_time' as family,
        eid as item_key,
        'What was the patient''s ' || label || ' at ' || {{ relative_time_label('t_rel_min') }}
        || ' in admission ' || admission_index || '?' as question,
        'number' as answer_type,
        label as analyte,
        cast(valuenum as varchar) as gold_text,
        valuenum as gold_number,
        valueuom as gold_unit,
        cast([] as varchar[]) as options,
        [eid] as evidence_eids,
        [cast(valuenum as varchar)] as evidence_values,
        [admission_index] as evidence_admission_indexes,
        admission_index as asked_after_index,
        'answer' as expected,
        sample_rank
    from sampled

)

select * from final
