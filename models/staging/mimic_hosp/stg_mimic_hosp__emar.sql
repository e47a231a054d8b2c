with source as (

    select * from {{ source('mimic_hosp', 'emar') }}

),

renamed as (

    select
        subject_id,
        hadm_id,
        emar_id,
        emar_seq,
        poe_id,
        pharmacy_id,
        enter_provider_id,
        charttime,
        medication,
        event_txt,
        scheduletime,
        storetime
    from source

)

select * from renamed
