{#- Microbiology of eligible admissions, grouped per test, specimen and time; every shown text scrubbed. -#}
with micro as (

    select * from {{ ref('int_cdm__microbiology') }}

),

cases as (

    select hadm_id from {{ ref('mart_cdm_cases') }}

),

final as (

    select
        cast(micro.hadm_id as bigint) as hadm_id,
        cast(micro.test_itemid as integer) as test_itemid,
        cast({{ cdm_regexp_replace_ci('micro.test_name', cdm_leakage_pattern(), "'___'") }} as varchar) as test_name,
        cast({{ cdm_regexp_replace_ci('micro.spec_type_desc', cdm_leakage_pattern(), "'___'") }} as varchar) as spec_type_desc,
        cast({{ cdm_regexp_replace_ci('micro.organism_name', cdm_leakage_pattern(), "'___'") }} as varchar) as organism_name,
        cast({{ cdm_regexp_replace_ci('micro.comments', cdm_leakage_pattern(), "'___'") }} as varchar) as comments,
        cast(micro.charttime as timestamp) as charttime,
        cast(micro.first_rank as integer) as first_rank,
        cast(micro.extended_rank as integer) as extended_rank
    from micro
    inner join cases on cases.hadm_id = micro.hadm_id

)

select * from final
