{#- "What was the value of the patient's first <lab> result flagged abnormal?": the earliest flagged result of
    each test over the whole record (admission, then time), only where no other flagged result of the test
    shares its admission and time. Asked after the last admission. The earliest of the record is the earliest
    of its admissions' first flagged results (int_qa__first_flagged_results, which keeps ties). -#}
with first_flagged as (

    select * from {{ ref('int_qa__first_flagged_results') }}

),

earliest as (

    select *
    from first_flagged
    qualify rank() over (partition by subject_id, label order by admission_index, t_rel_min) = 1

),

unambiguous as (

    select *
    from earliest
    qualify count(*) over (partition by subject_id, label) = 1

),

sampled as (

    select
        *,
        {{ qa_sample_rank('subject_id', 'eid') }} as sample_rank
    from unambiguous
    qualify sample_rank <= {{ var('qa_candidates_per_family') }}

),

final as (

    select
        subject_id,
        'first_abnormal' as family,
        eid as item_key,
        'Over all of the patient''s admissions, what was the value of the first ' || label
        || ' result flagged abnormal?' as question,
        'number' as answer_type,
        label as analyte,
        cast(valuenum as varchar) as gold_text,
        valuenum as gold_number,
        valueuom as gold_unit,
        cast([] as varchar[]) as options,
        [eid] as evidence_eids,
        [cast(valuenum as varchar)] as evidence_values,
        [admission_index] as evidence_admission_indexes,
        n_admissions as asked_after_index,
        'answer' as expected,
        sample_rank
    from sampled

)

select * from final
