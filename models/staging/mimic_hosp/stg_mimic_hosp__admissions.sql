with source as (

    select * from {{ source('mimic_hosp', 'admissions') }}

),

renamed as (

    select
        subject_id,
        hadm_id,
        admittime,
        dischtime,
        deathtime,
        admission_type,
        admit_provider_id,
        admission_location,
        discharge_location,
        insurance,
        language,
        marital_status,
        race,
        edregtime,
        edouttime,
        hospital_expire_flag
    from source

)

select * from renamed
