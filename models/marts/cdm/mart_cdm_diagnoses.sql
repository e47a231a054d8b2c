{#- Ground truth: the primary discharge diagnoses of eligible admissions, in note order (not scrubbed). -#}
with diagnoses as (

    select * from {{ ref('int_cdm__discharge_diagnoses') }}

),

cases as (

    select hadm_id, discharge_note_id from {{ ref('mart_cdm_cases') }}

),

final as (

    select
        cast(cases.hadm_id as bigint) as hadm_id,
        cast(diagnoses.seq_num as integer) as seq_num,
        cast(diagnoses.title as varchar) as title,
        cast(diagnoses.pathology as varchar) as pathology
    from diagnoses
    inner join cases on cases.discharge_note_id = diagnoses.note_id

)

select * from final
