{#- One row per eligible admission: what the model is shown first (scrubbed) and what the analysis needs. -#}
with cohort as (

    select * from {{ ref('int_cdm__cohort') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

first_procedures as (

    select * from {{ ref('int_cdm__first_procedures') }}

),

assembled as (

    select
        cohort.*,
        cohort.hpi || coalesce(' Past Medical History: ' || cohort.pmh, '') as history_text
    from cohort

),

final as (

    select
        cast(assembled.hadm_id as bigint) as hadm_id,
        cast(assembled.subject_id as bigint) as subject_id,
        cast(assembled.pathology as varchar) as pathology,
        cast(admissions.anchor_age as integer) as age,
        cast(admissions.gender as varchar) as gender,
        {{ cdm_scrub('assembled.history_text') }} as patient_history,
        {{ cdm_scrub('assembled.admission_exam') }} as physical_exam_text,
        cast(assembled.discharge_note_id as varchar) as discharge_note_id,
        cast(first_procedures.first_procedure_at as timestamp) as first_procedure_at,
        cast(assembled.lab_count as integer) as lab_count,
        cast(assembled.abdominal_imaging_count as integer) as abdominal_imaging_count,
        cast('{{ data_origin() }}' as varchar) as data_origin
    from assembled
    inner join admissions on admissions.hadm_id = assembled.hadm_id
    left join first_procedures on first_procedures.hadm_id = assembled.hadm_id

)

select * from final
