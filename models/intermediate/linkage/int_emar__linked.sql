{#- A view: read by int_emar__ranked, one batch of admissions at a time (mart_packet_emar holds the rows). -#}
{{ config(materialized='view') }}

{%- set emar_columns = emar_linked_columns() -%}

with emar as (

    select * from {{ ref('stg_mimic_hosp__emar') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

orphans_linked as (

    select * from {{ ref('int_emar__orphans_linked') }}

),

{# A row with a hadm_id links there or nowhere; only rows with an empty hadm_id are re-linked. #}
by_hadm_id as (

    select
        {%- for column in emar_columns %}
        emar.{{ column }},
        {%- endfor %}
        emar.hadm_id,
        emar.hadm_id as source_hadm_id,
        'hadm_id' as link_method
    from emar
    inner join admissions
        on emar.hadm_id = admissions.hadm_id
        and emar.subject_id = admissions.subject_id

),

final as (

    select * from by_hadm_id
    union all
    select
        {%- for column in emar_columns %}
        {{ column }},
        {%- endfor %}
        hadm_id,
        source_hadm_id,
        link_method
    from orphans_linked

)

select * from final
