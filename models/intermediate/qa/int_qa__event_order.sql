{#- "Which was prescribed first, <drug A> or <drug B>?": the first prescriptions of two drugs in different
    admissions. Each patient's drugs are drawn first and each meets only the next three drawn, so pairs grow
    linearly with the sample, never with the record. -#}
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

    select
        *,
        {{ qa_sample_rank('subject_id', 'drug') }} as draw
    from first_prescriptions
    qualify draw <= 2 * {{ var('qa_candidates_per_family') }}

),

neighbours as (

    {#- Each drawn drug meets the next three drawn: at most three pairs per drawn drug. #}
    select
        one.subject_id,
        one.drug as one_drug,
        other.drug as other_drug,
        one.eid as one_eid,
        other.eid as other_eid,
        one.admission_index as one_index,
        other.admission_index as other_index
    from sampled_drugs as one
    inner join sampled_drugs as other
        on
        one.subject_id = other.subject_id
        and other.draw between one.draw + 1 and one.draw + 3
    where one.admission_index <> other.admission_index

),

pairs as (

    select
        subject_id,
        case when one_index < other_index then one_drug else other_drug end as earlier_drug,
        case when one_index < other_index then other_drug else one_drug end as later_drug,
        case when one_index < other_index then one_eid else other_eid end as earlier_eid,
        case when one_index < other_index then other_eid else one_eid end as later_eid,
        least(one_index, other_index) as earlier_index,
        greatest(one_index, other_index) as later_index
    from neighbours

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
