{#-
    Lab results of candidate admissions with a display value (value and unit, else flag, else comment; the
    "___" redaction dropped) and two ranks per test: `first_rank` over the whole admission, and
    `extended_rank` over the results before the first procedure (null after it).
-#}
with labs as (

    select * from {{ ref('mart_packet_labs') }}

),

lab_items as (

    select * from {{ ref('stg_mimic_hosp__d_labitems') }}

),

candidates as (

    select distinct hadm_id from {{ ref('int_cdm__icd_candidates') }}

),

first_procedures as (

    select * from {{ ref('int_cdm__first_procedures') }}

),

valued as (

    select
        labs.hadm_id,
        labs.labevent_id,
        labs.itemid,
        labs.charttime,
        labs.storetime,
        labs.ref_range_lower,
        labs.ref_range_upper,
        labs.link_method,
        nullif(nullif(trim(labs.value), ''), '___') as value_text,
        labs.valueuom,
        nullif(trim(labs.flag), '') as flag,
        nullif(nullif(trim(labs.comments), ''), '___') as comments
    from labs
    where labs.hadm_id in (select candidates.hadm_id from candidates)

),

displayed as (

    select
        valued.*,
        case
            when valued.value_text is not null
                then valued.value_text
                || coalesce(' ' || nullif(trim(valued.valueuom), ''), '')
                || coalesce(' (' || valued.flag || ')', '')
            else coalesce(valued.flag, valued.comments)
        end as display_value
    from valued

),

ranked as (

    select
        displayed.hadm_id,
        displayed.labevent_id,
        displayed.itemid,
        lab_items.label as test_name,
        lab_items.fluid,
        lab_items.category,
        displayed.display_value as value,
        displayed.ref_range_lower,
        displayed.ref_range_upper,
        displayed.charttime,
        displayed.link_method,
        row_number() over (
            partition by displayed.hadm_id, displayed.itemid
            order by displayed.charttime, displayed.storetime, displayed.labevent_id
        ) as first_rank,
        case
            when first_procedures.first_procedure_at is null
                or displayed.charttime < first_procedures.first_procedure_at
                then row_number() over (
                    partition by
                        displayed.hadm_id,
                        displayed.itemid,
                        first_procedures.first_procedure_at is null
                        or displayed.charttime < first_procedures.first_procedure_at
                    order by displayed.charttime, displayed.storetime, displayed.labevent_id
                )
        end as pre_procedure_rank
    from displayed
    inner join lab_items on lab_items.itemid = displayed.itemid
    left join first_procedures on first_procedures.hadm_id = displayed.hadm_id
    where displayed.display_value is not null

),

final as (

    select
        hadm_id,
        labevent_id,
        itemid,
        test_name,
        fluid,
        category,
        value,
        ref_range_lower,
        ref_range_upper,
        charttime,
        link_method,
        first_rank,
        case when pre_procedure_rank <= {{ var('cdm_extended_results_per_test') }} then pre_procedure_rank end
            as extended_rank
    from ranked
    where first_rank = 1 or pre_procedure_rank <= {{ var('cdm_extended_results_per_test') }}

)

select * from final
