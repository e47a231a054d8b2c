{#-
    eMAR rows with an empty hadm_id, linked by pharmacy order, else provider order, else time: written once as
    a table, so that a batch of mart_packet_emar reads its admissions' re-linked rows by hadm_id instead of
    linking every orphan again.
-#}
{%- set emar_columns = emar_linked_columns() -%}

with emar as (

    select * from {{ ref('stg_mimic_hosp__emar') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

pharmacy as (

    select * from {{ ref('stg_mimic_hosp__pharmacy') }}

),

poe as (

    select * from {{ ref('stg_mimic_hosp__poe') }}

),

orphans as (

    select * from emar
    where hadm_id is null

),

pharmacy_admissions as (

    select
        pharmacy.pharmacy_id,
        pharmacy.subject_id,
        pharmacy.hadm_id
    from pharmacy
    inner join admissions
        on pharmacy.hadm_id = admissions.hadm_id
        and pharmacy.subject_id = admissions.subject_id

),

poe_admissions as (

    select
        poe.poe_id,
        poe.subject_id,
        poe.hadm_id
    from poe
    inner join admissions
        on poe.hadm_id = admissions.hadm_id
        and poe.subject_id = admissions.subject_id

),

by_order as (

    select
        orphans.*,
        pharmacy_admissions.hadm_id as pharmacy_hadm_id,
        poe_admissions.hadm_id as poe_hadm_id
    from orphans
    left join pharmacy_admissions
        on orphans.pharmacy_id = pharmacy_admissions.pharmacy_id
        and orphans.subject_id = pharmacy_admissions.subject_id
    left join poe_admissions
        on orphans.poe_id = poe_admissions.poe_id
        and orphans.subject_id = poe_admissions.subject_id

),

unordered as (

    select * from by_order
    where pharmacy_hadm_id is null
        and poe_hadm_id is null

),

time_links as (

    {%- if var('emar_time_window_fallback') %}
    {{ window_links('unordered', 'emar_id', 'orphans.charttime', 'admissions') }}
    {%- else %}
    select
        emar_id,
        hadm_id
    from unordered
    where 1 = 0
    {%- endif %}

),

linked as (

    select
        {%- for column in emar_columns %}
        by_order.{{ column }},
        {%- endfor %}
        coalesce(by_order.pharmacy_hadm_id, by_order.poe_hadm_id, time_links.hadm_id) as hadm_id,
        by_order.hadm_id as source_hadm_id,
        case
            when by_order.pharmacy_hadm_id is not null then 'pharmacy_id'
            when by_order.poe_hadm_id is not null then 'poe_id'
            when time_links.hadm_id is not null then 'time_window'
        end as link_method
    from by_order
    left join time_links
        on by_order.emar_id = time_links.emar_id

),

final as (

    select * from linked
    where hadm_id is not null

)

select * from final
