{#-
    Admissions coded with a target pathology (the anchor's first cohort step): any ICD diagnosis, either
    version, whose long title contains a term of `cdm_pathology_icd_titles` ("acute appendicitis",
    "diverticulitis", ...) as whole words. The dictionary (~110k titles) is matched first, so the diagnoses
    table joins on codes by equality.
-#}
with diagnoses as (

    select * from {{ ref('stg_mimic_hosp__diagnoses_icd') }}

),

dictionary as (

    select * from {{ ref('stg_mimic_hosp__d_icd_diagnoses') }}

),

title_terms as (

    select * from {{ ref('cdm_pathology_icd_titles') }}

),

pathology_codes as (

    select distinct
        dictionary.icd_code,
        dictionary.icd_version,
        title_terms.pathology
    from dictionary
    inner join title_terms
        on {{ cdm_regexp_matches_ci(
            'dictionary.long_title',
            "'" ~ cdm_word_boundary() ~ "' || " ~ cdm_keyword_regex('title_terms.title_term') ~ " || '" ~ cdm_word_boundary() ~ "'"
        ) }}

),

matched as (

    select
        diagnoses.subject_id,
        diagnoses.hadm_id,
        pathology_codes.pathology,
        diagnoses.seq_num
    from diagnoses
    inner join pathology_codes
        on pathology_codes.icd_code = diagnoses.icd_code
        and pathology_codes.icd_version = diagnoses.icd_version

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
