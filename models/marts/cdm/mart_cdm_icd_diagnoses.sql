{#- Ground truth: the ICD diagnoses of each case with their long titles, in sequence order (CDMv1 reads
    "biliary" in them for pancreatitis of biliary origin). -#}
with diagnoses as (

    select * from {{ ref('stg_mimic_hosp__diagnoses_icd') }}

),

dictionary as (

    select * from {{ ref('stg_mimic_hosp__d_icd_diagnoses') }}

),

cases as (

    select hadm_id from {{ ref('mart_cdm_cases') }}

),

final as (

    select
        cast(diagnoses.hadm_id as bigint) as hadm_id,
        cast(diagnoses.seq_num as integer) as seq_num,
        cast(diagnoses.icd_code as varchar) as icd_code,
        cast(diagnoses.icd_version as integer) as icd_version,
        cast(dictionary.long_title as varchar) as title
    from diagnoses
    inner join cases on cases.hadm_id = diagnoses.hadm_id
    inner join dictionary
        on dictionary.icd_code = diagnoses.icd_code
        and dictionary.icd_version = diagnoses.icd_version

)

select * from final
