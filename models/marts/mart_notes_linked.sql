{#- A view over the two note section marts, so the note text is stored once (in mart_packet_<section>). -#}
{{ config(materialized='view') }}

with discharge_notes as (

    select * from {{ ref('mart_packet_discharge_notes').include(database=false) }}

),

radiology_notes as (

    select * from {{ ref('mart_packet_radiology_notes').include(database=false) }}

),

final as (

    select
        'discharge' as note_kind,
        note_id,
        subject_id,
        hadm_id,
        eid,
        t_rel_min,
        note_type,
        note_seq,
        charttime,
        storetime,
        text,
        'hadm_id' as link_method
    from discharge_notes
    union all
    select
        'radiology' as note_kind,
        note_id,
        subject_id,
        hadm_id,
        eid,
        t_rel_min,
        note_type,
        note_seq,
        charttime,
        storetime,
        text,
        link_method
    from radiology_notes

)

select * from final
