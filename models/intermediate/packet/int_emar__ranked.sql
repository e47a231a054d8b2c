with emar as (

    select * from {{ ref('int_emar__linked') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

of_admissions as (

    select
        emar.*,
        admissions.admittime
    from emar
    inner join admissions
        on emar.hadm_id = admissions.hadm_id
        and emar.subject_id = admissions.subject_id

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                charttime nulls last,
                scheduletime nulls last,
                emar_seq nulls last,
                emar_id nulls last
        ) as seq
    from of_admissions

),

tiered as (

    select
        *,
        case
            when {{ is_first_or_last('medication') }} then 1
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
        {{ section_evidence_id('emar', ['emar_id']) }} as eid,
        {{ minutes_since('admittime', "coalesce(charttime, scheduletime, storetime)") }} as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('emar') }} as is_kept,
        emar_id,
        emar_seq,
        poe_id,
        pharmacy_id,
        charttime,
        medication,
        event_txt,
        scheduletime,
        storetime,
        link_method
    from ranked

)

select * from final
