with source as (

    select * from {{ source('mimic_icu', 'icustays') }}

),

renamed as (

    select
        subject_id,
        hadm_id,
        stay_id,
        first_careunit,
        last_careunit,
        intime,
        outtime,
        los
    from source

)

select * from renamed
