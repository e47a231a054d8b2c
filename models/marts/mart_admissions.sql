with admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

final as (

    select
        subject_id,
        hadm_id,
        {{ evidence_id('PT', ['subject_id']) }} as patient_eid,
        {{ evidence_id('ADM', ['hadm_id']) }} as admission_eid,
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
        hospital_expire_flag,
        gender,
        anchor_age,
        anchor_year,
        anchor_year_group,
        age_at_admission,
        age_deidentified,
        has_discharge_note,
        n_discharge_notes
    from admissions

)

{# Sorted by hadm_id: a one-admission read skips every other segment. #}
select * from final
order by hadm_id
