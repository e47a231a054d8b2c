{#- "Between admission i and admission i+1, was <drug> started or stopped?": a drug prescribed in exactly one
    of two consecutive admissions; the evidence is its first prescription in the admission that has it. -#}
with prescriptions as (

    select * from {{ ref('mart_packet_prescriptions') }}

),

admissions as (

    select * from {{ ref('int_qa__admissions') }}

),

first_per_admission as (

    select
        prescriptions.subject_id,
        prescriptions.eid,
        prescriptions.drug,
        admissions.admission_index,
        admissions.n_admissions
    from prescriptions
    inner join admissions on prescriptions.hadm_id = admissions.hadm_id
    where prescriptions.drug is not null and prescriptions.t_rel_min is not null
    qualify row_number() over (
            partition by prescriptions.hadm_id, prescriptions.drug order by prescriptions.t_rel_min, prescriptions.eid
        ) = 1

),

started as (

    select
        later.subject_id,
        later.drug,
        later.eid,
        later.admission_index,
        later.admission_index - 1 as earlier_index,
        later.admission_index as later_index,
        'started' as change
    from first_per_admission as later
    left join first_per_admission as earlier
        on
        later.subject_id = earlier.subject_id
        and later.drug = earlier.drug
        and earlier.admission_index = later.admission_index - 1
    where later.admission_index > 1 and earlier.eid is null

),

stopped as (

    select
        earlier.subject_id,
        earlier.drug,
        earlier.eid,
        earlier.admission_index,
        earlier.admission_index as earlier_index,
        earlier.admission_index + 1 as later_index,
        'stopped' as change
    from first_per_admission as earlier
    left join first_per_admission as later
        on
        earlier.subject_id = later.subject_id
        and earlier.drug = later.drug
        and later.admission_index = earlier.admission_index + 1
    where earlier.admission_index < earlier.n_admissions and later.eid is null

),

changes as (

    select * from started
    union all
    select * from stopped

),

sampled as (

    select
        *,
        {{ qa_sample_rank('subject_id', "change || '|' || eid") }} as sample_rank
    from changes
    qualify sample_rank <= {{ var('qa_candidates_per_family') }}

),

final as (

    select
        subject_id,
        'medication_change' as family,
        change || '|' || eid as item_key,
        'Between admission ' || earlier_index || ' and admission ' || later_index || ', was ' || drug
        || ' started (prescribed in admission ' || later_index || ' but not in admission ' || earlier_index
        || ') or stopped (prescribed in admission ' || earlier_index || ' but not in admission ' || later_index
        || ')?' as question,
        'choice' as answer_type,
        drug as analyte,
        change as gold_text,
        cast(null as double) as gold_number,
        cast(null as varchar) as gold_unit,
        ['started', 'stopped'] as options,
        [eid] as evidence_eids,
        [drug] as evidence_values,
        [admission_index] as evidence_admission_indexes,
        later_index as asked_after_index,
        'answer' as expected,
        sample_rank
    from sampled

)

select * from final
