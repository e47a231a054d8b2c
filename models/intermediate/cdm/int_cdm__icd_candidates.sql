{#-
    Admissions coded with a target pathology (the anchor's first cohort step): any ICD diagnosis, either
    version, whose long title contains a term of `cdm_pathology_icd_titles` ("acute appendicitis",
    "diverticulitis", ...) as whole words. The dictionary (~110k titles) is matched first, one literal
    pattern per pathology (macros/cdm/cdm_leakage_pattern.sql), so the diagnoses table joins on codes by equality.
-#}
{%- set pathologies = cdm_seed_rows('cdm_pathology_icd_titles', ['distinct pathology'], 'pathology')
    | map(attribute=0) | list %}
with diagnoses as (

    select * from {{ ref('stg_mimic_hosp__diagnoses_icd') }}

),

dictionary as (

    select * from {{ ref('stg_mimic_hosp__d_icd_diagnoses') }}

),

pathology_codes as (

    {%- for pathology in pathologies %}
    select distinct
        icd_code,
        icd_version,
        '{{ pathology | replace("'", "''") }}' as pathology
    from dictionary
    where {{ cdm_regexp_matches_ci(
        'long_title',
        cdm_keywords_pattern('cdm_pathology_icd_titles', 'title_term', "pathology = '" ~ pathology | replace("'", "''") ~ "'")
    ) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- if not pathologies %}
    select icd_code, icd_version, cast(null as {{ dbt.type_string() }}) as pathology
    from dictionary
    where false
    {%- endif %}

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
