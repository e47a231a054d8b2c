with source as (

    select * from {{ source('mimic_hosp', 'procedures_icd') }}

),

renamed as (

    select
        subject_id,
        hadm_id,
        seq_num,
        chartdate,
        icd_code,
        icd_version
    from source

)

select * from renamed
