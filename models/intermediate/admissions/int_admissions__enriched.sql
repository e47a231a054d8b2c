with admissions as (

    select * from {{ ref('stg_mimic_hosp__admissions') }}

),

patients as (

    select * from {{ ref('stg_mimic_hosp__patients') }}

),

discharge_notes as (

    select * from {{ ref('stg_mimic_note__discharge') }}

),

discharge_counts as (

    select
        hadm_id,
        count(*) as n_discharge_notes
    from discharge_notes
    group by hadm_id

),

enriched as (

    select
        admissions.subject_id,
        admissions.hadm_id,
        admissions.admittime,
        admissions.dischtime,
        admissions.deathtime,
        admissions.admission_type,
        admissions.admit_provider_id,
        admissions.admission_location,
        admissions.discharge_location,
        admissions.insurance,
        admissions.language,
        admissions.marital_status,
        admissions.race,
        admissions.edregtime,
        admissions.edouttime,
        admissions.hospital_expire_flag,
        patients.gender,
        patients.anchor_age,
        patients.anchor_year,
        patients.anchor_year_group,
        patients.anchor_age + (extract(year from admissions.admittime) - patients.anchor_year) as age_at_admission,
        coalesce(patients.anchor_age >= 91, false) as age_deidentified,
        coalesce(discharge_counts.n_discharge_notes, 0) as n_discharge_notes,
        discharge_counts.n_discharge_notes is not null as has_discharge_note,
        case
            when admissions.edregtime < admissions.admittime then admissions.edregtime
            else admissions.admittime
        end as window_start,
        coalesce(admissions.dischtime, admissions.admittime) as window_end
    from admissions
    left join patients
        on admissions.subject_id = patients.subject_id
    left join discharge_counts
        on admissions.hadm_id = discharge_counts.hadm_id

),

final as (

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
        hospital_expire_flag,
        gender,
        anchor_age,
        anchor_year,
        anchor_year_group,
        cast(age_at_admission as integer) as age_at_admission,
        age_deidentified,
        n_discharge_notes,
        has_discharge_note,
        window_start,
        window_end
    from enriched

)

select * from final
