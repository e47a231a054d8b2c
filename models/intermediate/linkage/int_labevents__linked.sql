{#- A view: read by int_labevents__ranked, one batch of admissions at a time (mart_packet_labs holds the rows). -#}
{{ config(materialized='view') }}

{%- set lab_columns = lab_linked_columns() -%}

with labevents as (

    select * from {{ ref('stg_mimic_hosp__labevents') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

orphans_linked as (

    select * from {{ ref('int_labevents__orphans_linked') }}

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

final as (

    select * from by_hadm_id
    union all
    select
        {%- for column in lab_columns %}
        {{ column }},
        {%- endfor %}
        hadm_id,
        source_hadm_id,
        link_method
    from orphans_linked

)

select * from final
