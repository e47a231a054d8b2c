with discharge_notes as (

    select * from {{ ref('int_discharge__ranked') }}

),

radiology_notes as (

    select * from {{ ref('int_radiology__ranked') }}

),

unioned as (

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

),

final as (

    select * from unioned

)

select * from final
order by hadm_id, note_kind, charttime, note_id
