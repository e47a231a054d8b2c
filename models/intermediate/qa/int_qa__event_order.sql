{#- "Which was prescribed first, <drug A> or <drug B>?": the first prescriptions of two drugs in different
    admissions. Each patient's drugs are sampled first, so pairs grow with the sample, not with the record. -#}
with prescriptions as (

    select * from {{ ref('mart_packet_prescriptions') }}

),

admissions as (

    select * from {{ ref('int_qa__admissions') }}

),

first_prescriptions as (

    select
        prescriptions.subject_id,
        prescriptions.eid,
        prescriptions.drug,
        admissions.admission_index
    from prescriptions
    inner join admissions on prescriptions.hadm_id = admissions.hadm_id
    where prescriptions.drug is not null and prescriptions.t_rel_min is not null
    qualify row_number() over (
            partition by prescriptions.subject_id, prescriptions.drug
            order by admissions.admission_index, prescriptions.t_rel_min, prescriptions.eid
        ) = 1

),

sampled_drugs as (

    select *
    from first_prescriptions
    qualify {{ qa_sample_rank('subject_id', 'drug') }} <= 2 * {{ var('qa_candidates_per_family') }}

),

pairs as (

    select
        earlier.subject_id,
        earlier.drug as earlier_drug,
        later.drug as later_drug,
        earlier.eid as earlier_eid,
        later.eid as later_eid,
        earlier.admission_index as earlier_index,
        later.admission_index as later_index
    from sampled_drugs as earlier
    inner join sampled_drugs as later
        on
        earlier.subject_id = later.subject_id
        and earlier.admission_index < later.admission_index

),

sampled as (

    select
        *,
        {{ qa_sample_rank('subject_id', "earlier_eid || '|' || later_eid") }} as sample_rank
    from pairs
    qualify sample_rank <= {{ var('qa_candidates_per_family') }}

),

named as (

    {#- Which drug the question names first follows the hash too, so "the first named" is not the answer. #}
    select
        *,
        hash('{{ var("qa_seed") }}|' || later_eid) % 2 = 0 as earlier_named_first
    from sampled

),

final as (

    select
        subject_id,
        'event_order' as family,
        earlier_eid || '|' || later_eid as item_key,
        'Which was prescribed to the patient first: '
        || case when earlier_named_first then earlier_drug else later_drug end || ' or '
        || case when earlier_named_first then later_drug else earlier_drug end || '?' as question,
        'choice' as answer_type,
        earlier_drug as analyte,
        earlier_drug as gold_text,
        cast(null as double) as gold_number,
        cast(null as varchar) as gold_unit,
        case
            when earlier_named_first then [earlier_drug, later_drug] else [later_drug, earlier_drug]
        end as options,
        [earlier_eid, later_eid] as evidence_eids,
        [earlier_drug, later_drug] as evidence_values,
        [earlier_index, later_index] as evidence_admission_indexes,
        later_index as asked_after_index,
        'answer' as expected,
        sample_rank
    from named

)

select * from final
