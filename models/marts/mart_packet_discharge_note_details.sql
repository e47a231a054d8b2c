{%- set section = packet_section('discharge_note_details') -%}

with ranked as (

    select * from {{ ref(section.model) }}

),

final as (

    select
        subject_id,
        hadm_id,
        eid,
        t_rel_min,
        seq,
        keep_priority,
        is_kept,
        {%- for column in section.columns %}
        {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from ranked

)

{#- Sorted by (hadm_id, seq): zonemaps let one admission's read skip every other segment. #}

select * from final
order by hadm_id, seq
