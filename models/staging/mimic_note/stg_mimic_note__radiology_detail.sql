with source as (

    select * from {{ source('mimic_note', 'radiology_detail') }}

),

renamed as (

    select
        note_id,
        subject_id,
        field_name,
        field_value,
        field_ordinal
    from source

)

select * from renamed
