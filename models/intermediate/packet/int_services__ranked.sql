with services as (

    select * from {{ ref('stg_mimic_hosp__services') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

of_admissions as (

    select
        services.*,
        admissions.admittime
    from services
    inner join admissions
        on services.hadm_id = admissions.hadm_id
        and services.subject_id = admissions.subject_id

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                transfertime nulls last,
                curr_service nulls last,
                prev_service nulls last
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
        {{ section_evidence_id('services', ['hadm_id', 'seq']) }} as eid,
        {{ minutes_since('admittime', "transfertime") }} as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('services') }} as is_kept,
        transfertime,
        prev_service,
        curr_service
    from ranked

)

select * from final
