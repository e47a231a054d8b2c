{#- A view: read once, by int_labevents__ranked (mart_packet_labs holds the linked rows). -#}
{{ config(materialized='view') }}

{%- set lab_columns = [
    'labevent_id', 'subject_id', 'specimen_id', 'itemid', 'order_provider_id', 'charttime', 'storetime',
    'value', 'valuenum', 'valueuom', 'ref_range_lower', 'ref_range_upper', 'flag', 'priority', 'comments',
] -%}

with labevents as (

    select * from {{ ref('stg_mimic_hosp__labevents') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

by_hadm_id as (

    select
        {%- for column in lab_columns %}
        labevents.{{ column }},
        {%- endfor %}
        labevents.hadm_id,
        labevents.hadm_id as source_hadm_id,
        'hadm_id' as link_method
    from labevents
    inner join admissions
        on labevents.hadm_id = admissions.hadm_id
        and labevents.subject_id = admissions.subject_id

),

orphans as (

    select * from labevents
    where hadm_id is null

),

orphan_links as (

    {{ window_links('orphans', 'labevent_id', 'orphans.charttime', 'admissions') }}

),

by_time_window as (

    select
        {%- for column in lab_columns %}
        orphans.{{ column }},
        {%- endfor %}
        orphan_links.hadm_id,
        orphans.hadm_id as source_hadm_id,
        'time_window' as link_method
    from orphans
    inner join orphan_links
        on orphans.labevent_id = orphan_links.labevent_id

),

final as (

    select * from by_hadm_id
    union all
    select * from by_time_window

)

select * from final
