{#- "In which admission did a culture first grow <organism>?": the number of the earliest admission whose
    cultures grew it; the evidence is its first culture row there. Asked after the last admission. -#}
with growth as (

    select * from {{ ref('int_qa__micro_growth') }}

),

first_growth as (

    select *
    from growth
    qualify row_number() over (partition by subject_id, org_name order by admission_index, t_rel_min, eid) = 1

),

sampled as (

    select
        *,
        {{ qa_sample_rank('subject_id', 'eid') }} as sample_rank
    from first_growth
    qualify sample_rank <= {{ var('qa_candidates_per_family') }}

),

final as (

    select
        subject_id,
        'first_growth' as family,
        eid as item_key,
        'In which admission (give its number) did a culture first grow ' || org_name || '?' as question,
        'admission' as answer_type,
        org_name as analyte,
        cast(admission_index as varchar) as gold_text,
        cast(admission_index as double) as gold_number,
        cast(null as varchar) as gold_unit,
        cast([] as varchar[]) as options,
        [eid] as evidence_eids,
        [org_name] as evidence_values,
        [admission_index] as evidence_admission_indexes,
        n_admissions as asked_after_index,
        'answer' as expected,
        sample_rank
    from sampled

)

select * from final
