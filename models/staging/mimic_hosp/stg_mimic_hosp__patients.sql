with source as (

    select * from {{ source('mimic_hosp', 'patients') }}

),

renamed as (

    select
        subject_id,
        gender,
        anchor_age,
        anchor_year,
        anchor_year_group,
        dod
    from source

)

select * from renamed
