{#- Admissions coded with a target pathology: ICD code under a seeded prefix and a title naming the disease. -#}
with diagnoses as (

    select * from {{ ref('stg_mimic_hosp__diagnoses_icd') }}

),

dictionary as (

    select * from {{ ref('stg_mimic_hosp__d_icd_diagnoses') }}

),

pathology_codes as (

    select * from {{ ref('cdm_pathology_icd_codes') }}

),

pathology_keywords as (

    select * from {{ ref('cdm_pathology_keywords') }}

),

titled as (

    select
        diagnoses.subject_id,
        diagnoses.hadm_id,
        diagnoses.seq_num,
        diagnoses.icd_code,
        diagnoses.icd_version,
        dictionary.long_title
    from diagnoses
    inner join dictionary
        on dictionary.icd_code = diagnoses.icd_code
        and dictionary.icd_version = diagnoses.icd_version

),

matched as (

    select
        titled.subject_id,
        titled.hadm_id,
        pathology_codes.pathology,
        titled.seq_num,
        titled.icd_code,
        titled.long_title
    from titled
    inner join pathology_codes
        on pathology_codes.icd_version = titled.icd_version
        and titled.icd_code like pathology_codes.icd_code_prefix || '%'
    inner join pathology_keywords
        on pathology_keywords.pathology = pathology_codes.pathology
        and {{ cdm_regexp_matches_ci(
            'titled.long_title',
            "'" ~ cdm_word_boundary() ~ "' || " ~ cdm_keyword_regex('pathology_keywords.keyword') ~ " || '" ~ cdm_word_boundary() ~ "'"
        ) }}

),

final as (

    select
        subject_id,
        hadm_id,
        pathology,
        min(seq_num) as first_seq_num
    from matched
    group by subject_id, hadm_id, pathology

)

select * from final
