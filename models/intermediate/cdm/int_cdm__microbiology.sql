{#-
    Microbiology of candidate admissions grouped per test, specimen and time: distinct organisms and
    comments joined with "; ". Rows without an organism (or "CANCELLED") and without a real comment are
    dropped. Ranks as for labs, per test.
-#}
with micro as (

    select * from {{ ref('int_microbiology__linked') }}

),

candidates as (

    select distinct hadm_id from {{ ref('int_cdm__icd_candidates') }}

),

first_procedures as (

    select * from {{ ref('int_cdm__first_procedures') }}

),

kept as (

    select
        hadm_id,
        test_itemid,
        test_name,
        spec_type_desc,
        coalesce(charttime, cast(chartdate as timestamp)) as charttime,
        case when upper(trim(org_name)) <> 'CANCELLED' then nullif(trim(org_name), '') end as organism,
        nullif(nullif(trim(comments), ''), '___') as comment
    from micro
    where hadm_id in (select candidates.hadm_id from candidates)

),

with_content as (

    select * from kept where organism is not null or comment is not null

),

organisms as (

    select distinct hadm_id, test_itemid, test_name, spec_type_desc, charttime, organism
    from with_content
    where organism is not null

),

comments as (

    select distinct hadm_id, test_itemid, test_name, spec_type_desc, charttime, comment
    from with_content
    where comment is not null

),

groups as (

    select distinct hadm_id, test_itemid, test_name, spec_type_desc, charttime
    from with_content

),

organism_lists as (

    select
        hadm_id, test_itemid, test_name, spec_type_desc, charttime,
        {{ dbt.listagg('organism', "', '", 'order by organism') }} as organism_name
    from organisms
    group by hadm_id, test_itemid, test_name, spec_type_desc, charttime

),

comment_lists as (

    select
        hadm_id, test_itemid, test_name, spec_type_desc, charttime,
        {{ dbt.listagg('comment', "'; '", 'order by comment') }} as comments
    from comments
    group by hadm_id, test_itemid, test_name, spec_type_desc, charttime

),

grouped as (

    select
        groups.hadm_id,
        groups.test_itemid,
        groups.test_name,
        groups.spec_type_desc,
        groups.charttime,
        organism_lists.organism_name,
        comment_lists.comments
    from groups
    left join organism_lists
        on organism_lists.hadm_id = groups.hadm_id
        and organism_lists.test_itemid = groups.test_itemid
        and organism_lists.test_name is not distinct from groups.test_name
        and organism_lists.spec_type_desc is not distinct from groups.spec_type_desc
        and organism_lists.charttime is not distinct from groups.charttime
    left join comment_lists
        on comment_lists.hadm_id = groups.hadm_id
        and comment_lists.test_itemid = groups.test_itemid
        and comment_lists.test_name is not distinct from groups.test_name
        and comment_lists.spec_type_desc is not distinct from groups.spec_type_desc
        and comment_lists.charttime is not distinct from groups.charttime

),

ranked as (

    select
        grouped.*,
        row_number() over (
            partition by grouped.hadm_id, grouped.test_itemid
            order by grouped.charttime, grouped.spec_type_desc
        ) as first_rank,
        case
            when first_procedures.first_procedure_at is null
                or grouped.charttime < first_procedures.first_procedure_at
                then row_number() over (
                    partition by
                        grouped.hadm_id,
                        grouped.test_itemid,
                        first_procedures.first_procedure_at is null
                        or grouped.charttime < first_procedures.first_procedure_at
                    order by grouped.charttime, grouped.spec_type_desc
                )
        end as pre_procedure_rank
    from grouped
    left join first_procedures on first_procedures.hadm_id = grouped.hadm_id

),

final as (

    select
        hadm_id,
        test_itemid,
        test_name,
        spec_type_desc,
        organism_name,
        comments,
        charttime,
        first_rank,
        case when pre_procedure_rank <= {{ var('cdm_extended_results_per_test') }} then pre_procedure_rank end
            as extended_rank
    from ranked
    where first_rank = 1 or pre_procedure_rank <= {{ var('cdm_extended_results_per_test') }}

)

select * from final
