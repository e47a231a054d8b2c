with icustays as (

    select * from {{ ref('stg_mimic_icu__icustays') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

of_admissions as (

    select
        icustays.*,
        admissions.admittime
    from icustays
    inner join admissions
        on icustays.hadm_id = admissions.hadm_id
        and icustays.subject_id = admissions.subject_id

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                intime nulls last,
                outtime nulls last,
                stay_id nulls last
        ) as seq
    from of_admissions

),

tiered as (

    select
        *,
        case
            when {{ is_first_or_last() }} then 1
            else 2
        end as keep_tier
    from ordered

),

ranked as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by keep_tier, seq
        ) as keep_priority
    from tiered

),

final as (

    select
        subject_id,
        hadm_id,
        {{ section_evidence_id('icustays', ['stay_id']) }} as eid,
        {{ minutes_since('admittime', "intime") }} as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('icustays') }} as is_kept,
        stay_id,
        first_careunit,
        last_careunit,
        intime,
        outtime,
        los,
        {{ minutes_since('admittime', 'outtime') }} as t_out_min
    from ranked

)

select * from final
