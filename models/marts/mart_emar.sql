{{ config(materialized='view') }}

with emar as (

    select * from {{ ref('mart_packet_emar').include(database=false) }}

),

final as (

    select
        subject_id,
        hadm_id,
        eid,
        t_rel_min,
        seq,
        keep_priority,
        {%- for column in packet_section('emar').columns %}
        {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from emar
    where is_kept

)

select * from final
