{#- "In how many of the patient's admissions did a culture grow <organism>?": counted over the whole record;
    the evidence is the organism's first culture row in each admission that grew it. -#}
with growth as (

    select * from {{ ref('int_qa__micro_growth') }}

),

first_per_admission as (

    select *
    from growth
    qualify row_number() over (partition by hadm_id, org_name order by t_rel_min, eid) = 1

),

counted as (

    select
        subject_id,
        org_name,
        any_value(n_admissions) as n_admissions,
        count(*) as n_with_organism,
        list(eid order by admission_index) as eids,
        list(admission_index order by admission_index) as admission_indexes
    from first_per_admission
    group by subject_id, org_name

),

sampled as (

    select
        *,
        {{ qa_sample_rank('subject_id', 'org_name') }} as sample_rank
    from counted
    qualify sample_rank <= {{ var('qa_candidates_per_family') }}

),

final as (

    select
        subject_id,
        'organism_count' as family,
        org_name as item_key,
        'In how many of the patient''s admissions did a culture grow ' || org_name || '?' as question,
        'count' as answer_type,
        org_name as analyte,
        cast(n_with_organism as varchar) as gold_text,
        cast(n_with_organism as double) as gold_number,
        cast(null as varchar) as gold_unit,
        cast([] as varchar[]) as options,
        eids as evidence_eids,
        list_transform(eids, eid -> org_name) as evidence_values,
        admission_indexes as evidence_admission_indexes,
        n_admissions as asked_after_index,
        'answer' as expected,
        sample_rank
    from sampled

)

select * from final
