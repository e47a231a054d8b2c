{#- "Which organism grew in the <specimen> culture taken at <time> in admission k?", asked after admission
    k + 2: only where that culture grew exactly one organism. -#}
with growth as (

    select * from {{ ref('int_qa__micro_growth') }}

),

one_organism as (

    select *
    from growth
    where admission_index + 2 <= n_admissions and spec_type_desc is not null
    qualify count(*) over (partition by hadm_id, t_rel_min, spec_type_desc) = 1

),

sampled as (

    select
        *,
        {{ qa_sample_rank('subject_id', 'eid') }} as sample_rank
    from one_organism
    qualify sample_rank <= {{ var('qa_candidates_per_family') }}

),

final as (

    select
        subject_id,
        'carried_over' as family,
        eid as item_key,
        'Which organism grew in the ' || spec_type_desc || ' culture taken at '
        || {{ relative_time_label('t_rel_min') }} || ' in admission ' || admission_index || '?' as question,
        'category' as answer_type,
        org_name as analyte,
        org_name as gold_text,
        cast(null as double) as gold_number,
        cast(null as varchar) as gold_unit,
        cast([] as varchar[]) as options,
        [eid] as evidence_eids,
        [org_name] as evidence_values,
        [admission_index] as evidence_admission_indexes,
        admission_index + 2 as asked_after_index,
        'answer' as expected,
        sample_rank
    from sampled

)

select * from final
