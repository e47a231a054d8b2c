with source as (

    select * from {{ source('mimic_hosp', 'services') }}

),

renamed as (

    select
        subject_id,
        hadm_id,
        transfertime,
        prev_service,
        curr_service
    from source

)

select * from renamed
