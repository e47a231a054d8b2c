with prescriptions as (

    select * from {{ ref('stg_mimic_hosp__prescriptions') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

of_admissions as (

    select
        prescriptions.*,
        admissions.admittime
    from prescriptions
    inner join admissions
        on prescriptions.hadm_id = admissions.hadm_id
        and prescriptions.subject_id = admissions.subject_id

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                starttime nulls last,
                stoptime nulls last,
                pharmacy_id nulls last,
                drug_type nulls last,
                drug nulls last,
                formulary_drug_cd nulls last,
                ndc nulls last,
                prod_strength nulls last,
                dose_val_rx nulls last,
                route nulls last,
                dose_unit_rx nulls last,
                doses_per_24_hrs nulls last,
                form_rx nulls last,
                form_val_disp nulls last,
                form_unit_disp nulls last,
                gsn nulls last,
                poe_id nulls last,
                poe_seq nulls last,
                order_provider_id nulls last
        ) as seq
    from of_admissions

),

tiered as (

    select
        *,
        case
            when {{ is_first_or_last('drug') }} then 1
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
        {{ section_evidence_id('prescriptions', ['hadm_id', 'seq']) }} as eid,
        {{ minutes_since('admittime', "coalesce(starttime, stoptime)") }} as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('prescriptions') }} as is_kept,
        pharmacy_id,
        poe_id,
        poe_seq,
        starttime,
        stoptime,
        drug_type,
        drug,
        formulary_drug_cd,
        gsn,
        ndc,
        prod_strength,
        form_rx,
        dose_val_rx,
        dose_unit_rx,
        form_val_disp,
        form_unit_disp,
        doses_per_24_hrs,
        route
    from ranked

)

select * from final
