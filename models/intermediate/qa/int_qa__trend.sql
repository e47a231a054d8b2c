{#- "Was the patient's first <lab> result of admission j higher, lower or the same as that of admission i?":
    the first results of a test in two consecutive admissions that measured it (none sharing its time with
    another result of the test); the gold is the direction, with both results as evidence. Pairs with flagged
    results are sampled first. -#}
with first_lab_results as (

    select * from {{ ref('int_qa__first_lab_results') }}

),

paired as (

    select
        *,
        lag(eid) over by_admission as earlier_eid,
        lag(valuenum) over by_admission as earlier_value,
        lag(admission_index) over by_admission as earlier_index,
        lag(flag) over by_admission as earlier_flag
    from first_lab_results
    window by_admission as (partition by subject_id, label order by admission_index)

),

pairs as (

    select
        *,
        case
            when valuenum > earlier_value then 'higher'
            when valuenum < earlier_value then 'lower'
            else 'same'
        end as direction,
        cast(flag is null as int) + cast(earlier_flag is null as int) as unflagged_results
    from paired
    where earlier_eid is not null

),

sampled as (

    select
        *,
        {{ qa_sample_rank('subject_id', "earlier_eid || '|' || eid", 'unflagged_results') }} as sample_rank
    from pairs
    qualify sample_rank <= {{ var('qa_candidates_per_family') }}

),

final as (

    select
        subject_id,
        'trend' as family,
        earlier_eid || '|' || eid as item_key,
        'Was the patient''s first ' || label || ' result of admission ' || admission_index
        || ' higher, lower or the same as the first of admission ' || earlier_index || '?' as question,
        'direction' as answer_type,
        label as analyte,
        direction as gold_text,
        cast(null as double) as gold_number,
        cast(null as varchar) as gold_unit,
        ['higher', 'lower', 'same'] as options,
        [earlier_eid, eid] as evidence_eids,
        [cast(earlier_value as varchar), cast(valuenum as varchar)] as evidence_values,
        [earlier_index, admission_index] as evidence_admission_indexes,
        admission_index as asked_after_index,
        'answer' as expected,
        sample_rank
    from sampled

)

select * from final
