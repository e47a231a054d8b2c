with source as (

    select * from {{ source('mimic_hosp', 'transfers') }}

),

renamed as (

    select
        subject_id,
        hadm_id,
        transfer_id,
        eventtype,
        careunit,
        intime,
        outtime
    from source

)

select * from renamed
