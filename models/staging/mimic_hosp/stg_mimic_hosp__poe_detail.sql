with source as (

    select * from {{ source('mimic_hosp', 'poe_detail') }}

),

renamed as (

    select
        poe_id,
        poe_seq,
        subject_id,
        field_name,
        field_value
    from source

)

select * from renamed
