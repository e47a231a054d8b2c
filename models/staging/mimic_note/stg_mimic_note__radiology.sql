with source as (

    select * from {{ source('mimic_note', 'radiology') }}

),

renamed as (

    select
        note_id,
        subject_id,
        hadm_id,
        note_type,
        note_seq,
        charttime,
        storetime,
        text
    from source

)

select * from renamed
