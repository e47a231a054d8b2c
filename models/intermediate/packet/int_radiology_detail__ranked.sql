{#- Parent ranks (seq, keep_priority, is_kept, eid) come from the parent's section mart, computed once. -#}
with radiology_details as (

    select * from {{ ref('stg_mimic_note__radiology_detail') }}

),

radiology_notes as (

    select * from {{ ref('mart_packet_radiology_notes') }}

),

of_kept_and_dropped_parents as (

    select
        radiology_details.*,
        radiology_notes.hadm_id,
        radiology_notes.eid as parent_eid,
        radiology_notes.t_rel_min as parent_t_rel_min,
        radiology_notes.seq as parent_seq,
        radiology_notes.keep_priority as parent_keep_priority,
        radiology_notes.is_kept as parent_is_kept
    from radiology_details
    inner join radiology_notes
        on radiology_details.note_id = radiology_notes.note_id
        and radiology_details.subject_id = radiology_notes.subject_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                parent_seq,
                field_ordinal nulls last,
                field_name nulls last,
                field_value nulls last
        ) as seq,
        row_number() over (
            partition by hadm_id
            order by
                parent_keep_priority,
                field_ordinal nulls last,
                field_name nulls last,
                field_value nulls last
        ) as keep_priority
    from of_kept_and_dropped_parents

),

final as (

    select
        subject_id,
        hadm_id,
        {{ section_evidence_id('radiology_note_details', ['hadm_id', 'seq']) }} as eid,
        parent_t_rel_min as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('radiology_note_details', 'parent_is_kept') }} as is_kept,
        parent_eid,
        note_id,
        field_name,
        field_value,
        field_ordinal
    from ranked

)

select * from final
