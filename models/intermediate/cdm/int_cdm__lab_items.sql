{#-
    The lab tests a request can name, as CDMv1 builds its mapping: every d_labitems row with at least one
    event, its label altered where a parenthesis is not an abbreviation (`cdm_lab_label_alterations`), the
    number of events (CDMv1's `count`) and the seeded scoring category of the test (`cdm_lab_tests`).
-#}
with lab_items as (

    select * from {{ ref('stg_mimic_hosp__d_labitems') }}

),

lab_events as (

    select * from {{ ref('stg_mimic_hosp__labevents') }}

),

alterations as (

    select * from {{ ref('cdm_lab_label_alterations') }}

),

rubric_categories as (

    select * from {{ ref('cdm_lab_tests') }}

),

event_counts as (

    select itemid, count(*) as event_count
    from lab_events
    group by itemid

),

with_events as (

    select lab_items.*, event_counts.event_count
    from lab_items
    inner join event_counts on event_counts.itemid = lab_items.itemid

),

final as (

    select
        cast(with_events.itemid as integer) as itemid,
        cast(with_events.label as varchar) as original_label,
        cast(coalesce(alterations.altered_label, with_events.label) as varchar) as label,
        cast(with_events.fluid as varchar) as fluid,
        cast(with_events.category as varchar) as category,
        cast(with_events.event_count as bigint) as event_count,
        cast(rubric_categories.category as varchar) as rubric_category
    from with_events
    left join alterations on alterations.label = with_events.label
    left join rubric_categories
        on lower(rubric_categories.label) = lower(with_events.label)
        and lower(rubric_categories.fluid) = lower(with_events.fluid)

)

select * from final
