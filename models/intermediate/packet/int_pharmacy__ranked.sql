with pharmacy as (

    select * from {{ ref('stg_mimic_hosp__pharmacy') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

of_admissions as (

    select
        pharmacy.*,
        admissions.admittime
    from pharmacy
    inner join admissions
        on pharmacy.hadm_id = admissions.hadm_id
        and pharmacy.subject_id = admissions.subject_id

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                entertime nulls last,
                pharmacy_id nulls last
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
        {{ section_evidence_id('pharmacy', ['pharmacy_id']) }} as eid,
        {{ minutes_since('admittime', "coalesce(entertime, starttime)") }} as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('pharmacy') }} as is_kept,
        pharmacy_id,
        poe_id,
        starttime,
        stoptime,
        medication,
        proc_type,
        status,
        entertime,
        verifiedtime,
        route,
        frequency,
        disp_sched,
        infusion_type,
        sliding_scale,
        lockout_interval,
        basal_rate,
        one_hr_max,
        doses_per_24_hrs,
        duration,
        duration_interval,
        expiration_value,
        expiration_unit,
        expirationdate,
        dispensation,
        fill_quantity
    from ranked

)

select * from final
