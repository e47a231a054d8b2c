{{ config(materialized='view') }}

with labs as (

    select * from {{ ref('mart_packet_labs').include(database=false) }}

),

final as (

    select
        subject_id,
        hadm_id,
        eid,
        t_rel_min,
        seq,
        keep_priority,
        {%- for column in packet_section('labs').columns %}
        {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from labs
    where is_kept

)

select * from final
