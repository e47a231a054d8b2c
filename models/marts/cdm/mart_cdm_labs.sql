{#- Lab results of eligible admissions: first per test (`first_rank = 1`) and up to N per test before the
    first procedure (`extended_rank`), values scrubbed. -#}
with labs as (

    select * from {{ ref('int_cdm__labs') }}

),

cases as (

    select hadm_id from {{ ref('mart_cdm_cases') }}

),

final as (

    select
        cast(labs.hadm_id as bigint) as hadm_id,
        cast(labs.labevent_id as bigint) as labevent_id,
        cast(labs.itemid as integer) as itemid,
        cast(labs.test_name as varchar) as test_name,
        cast(labs.fluid as varchar) as fluid,
        cast(labs.category as varchar) as category,
        {{ cdm_scrub('labs.value') }} as value,
        cast(labs.ref_range_lower as double precision) as ref_range_lower,
        cast(labs.ref_range_upper as double precision) as ref_range_upper,
        cast(labs.charttime as timestamp) as charttime,
        cast(labs.first_rank as integer) as first_rank,
        cast(labs.extended_rank as integer) as extended_rank,
        cast(labs.link_method as varchar) as link_method
    from labs
    inner join cases on cases.hadm_id = labs.hadm_id

)

select * from final
