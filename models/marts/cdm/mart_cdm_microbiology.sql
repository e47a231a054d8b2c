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
        {{ cdm_scrub('micro.test_name') }} as test_name,
        {{ cdm_scrub('micro.spec_type_desc') }} as spec_type_desc,
        {{ cdm_scrub('micro.organism_name') }} as organism_name,
        {{ cdm_scrub('micro.comments') }} as comments,
        cast(micro.charttime as timestamp) as charttime,
        cast(micro.first_rank as integer) as first_rank,
        cast(micro.extended_rank as integer) as extended_rank
    from micro
    inner join cases on cases.hadm_id = micro.hadm_id

)

select * from final
