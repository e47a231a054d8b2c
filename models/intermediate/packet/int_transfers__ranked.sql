with transfers as (

    select * from {{ ref('stg_mimic_hosp__transfers') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

of_admissions as (

    select
        transfers.*,
        admissions.admittime
    from transfers
    inner join admissions
        on transfers.hadm_id = admissions.hadm_id
        and transfers.subject_id = admissions.subject_id

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                intime nulls last,
                outtime nulls last,
                transfer_id nulls last
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
        {{ section_evidence_id('transfers', ['transfer_id']) }} as eid,
        {{ minutes_since('admittime', "intime") }} as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('transfers') }} as is_kept,
        transfer_id,
        eventtype,
        careunit,
        intime,
        outtime
    from ranked

)

select * from final
