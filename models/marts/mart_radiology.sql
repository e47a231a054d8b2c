{{ config(materialized='view') }}

with radiology_notes as (

    select * from {{ ref('mart_packet_radiology_notes').include(database=false) }}

),

final as (

    select
        subject_id,
        hadm_id,
        eid,
        t_rel_min,
        seq,
        keep_priority,
        {%- for column in packet_section('radiology_notes').columns %}
        {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from radiology_notes
    where is_kept

)

select * from final
