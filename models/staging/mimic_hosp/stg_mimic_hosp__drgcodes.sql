with source as (

    select * from {{ source('mimic_hosp', 'drgcodes') }}

),

renamed as (

    select
        subject_id,
        hadm_id,
        drg_type,
        drg_code,
        description,
        drg_severity,
        drg_mortality
    from source

)

select * from renamed
