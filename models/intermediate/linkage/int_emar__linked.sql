{#- A view: read once, by int_emar__ranked (mart_packet_emar holds the linked rows). -#}
{{ config(materialized='view') }}

{%- set emar_columns = [
    'emar_id', 'subject_id', 'emar_seq', 'poe_id', 'pharmacy_id', 'enter_provider_id', 'charttime',
    'medication', 'event_txt', 'scheduletime', 'storetime',
] -%}

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

{# A row with a hadm_id links there or nowhere; only rows with an empty hadm_id go down the precedence
    (the gate sits in the select list, not the join condition, so the joins stay hash joins). #}
candidates as (

    select
        emar.*,
        direct.hadm_id as direct_hadm_id,
        case when emar.hadm_id is null then pharmacy_admissions.hadm_id end as pharmacy_hadm_id,
        case when emar.hadm_id is null then poe_admissions.hadm_id end as poe_hadm_id
    from emar
    left join admissions as direct
        on emar.hadm_id = direct.hadm_id
        and emar.subject_id = direct.subject_id
    left join pharmacy_admissions
        on emar.pharmacy_id = pharmacy_admissions.pharmacy_id
        and emar.subject_id = pharmacy_admissions.subject_id
    left join poe_admissions
        on emar.poe_id = poe_admissions.poe_id
        and emar.subject_id = poe_admissions.subject_id

),

orphans as (

    select * from candidates
    where hadm_id is null
        and pharmacy_hadm_id is null
        and poe_hadm_id is null

),

orphan_links as (

    {%- if var('emar_time_window_fallback') %}
    {{ window_links('orphans', 'emar_id', 'orphans.charttime', 'admissions') }}
    {%- else %}
    select
        emar_id,
        hadm_id
    from orphans
    where 1 = 0
    {%- endif %}

),

linked as (

    select
        {%- for column in emar_columns %}
        candidates.{{ column }},
        {%- endfor %}
        coalesce(
            candidates.direct_hadm_id,
            candidates.pharmacy_hadm_id,
            candidates.poe_hadm_id,
            orphan_links.hadm_id
        ) as hadm_id,
        candidates.hadm_id as source_hadm_id,
        case
            when candidates.direct_hadm_id is not null then 'hadm_id'
            when candidates.pharmacy_hadm_id is not null then 'pharmacy_id'
            when candidates.poe_hadm_id is not null then 'poe_id'
            when orphan_links.hadm_id is not null then 'time_window'
        end as link_method
    from candidates
    left join orphan_links
        on candidates.emar_id = orphan_links.emar_id

),

final as (

    select * from linked
    where hadm_id is not null

)

select * from final
