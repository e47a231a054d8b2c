with source as (

    select * from {{ source('mimic_hosp', 'pharmacy') }}

),

renamed as (

    select
        subject_id,
        hadm_id,
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
    from source

)

select * from renamed
