with poe as (

    select * from {{ ref('stg_mimic_hosp__poe') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

of_admissions as (

    select
        poe.*,
        admissions.admittime
    from poe
    inner join admissions
        on poe.hadm_id = admissions.hadm_id
        and poe.subject_id = admissions.subject_id

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                ordertime nulls last,
                poe_seq nulls last,
                poe_id nulls last
        ) as seq
    from of_admissions

),

tiered as (

    select
        *,
        case
            when {{ is_first_or_last('order_type') }} then 1
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
        {{ section_evidence_id('poe', ['poe_id']) }} as eid,
        {{ minutes_since('admittime', "ordertime") }} as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('poe') }} as is_kept,
        poe_id,
        poe_seq,
        ordertime,
        order_type,
        order_subtype,
        transaction_type,
        discontinue_of_poe_id,
        discontinued_by_poe_id,
        order_status
    from ranked

)

select * from final
