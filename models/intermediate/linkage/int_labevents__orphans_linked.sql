{#-
    Lab results with an empty hadm_id, linked by time: written once as a table, so that a batch of
    mart_packet_labs reads its admissions' time-window rows by hadm_id instead of choosing the windows of every
    orphan again.
-#}
{%- set lab_columns = lab_linked_columns() -%}

with labevents as (

    select * from {{ ref('stg_mimic_hosp__labevents') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

orphans as (

    select * from labevents
    where hadm_id is null

),

orphan_links as (

    {{ window_links('orphans', 'labevent_id', 'orphans.charttime', 'admissions') }}

),

final as (

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

)

select * from final
