{#- Parent ranks (seq, keep_priority, is_kept, eid) come from the parent's section mart, computed once. -#}
with poe_details as (

    select * from {{ ref('stg_mimic_hosp__poe_detail') }}

),

poe as (

    select * from {{ ref('mart_packet_poe') }}

),

of_kept_and_dropped_parents as (

    select
        poe_details.*,
        poe.hadm_id,
        poe.eid as parent_eid,
        poe.t_rel_min as parent_t_rel_min,
        poe.seq as parent_seq,
        poe.keep_priority as parent_keep_priority,
        poe.is_kept as parent_is_kept
    from poe_details
    inner join poe
        on poe_details.poe_id = poe.poe_id
        and poe_details.subject_id = poe.subject_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                parent_seq,
                field_name nulls last,
                field_value nulls last
        ) as seq,
        row_number() over (
            partition by hadm_id
            order by
                parent_keep_priority,
                field_name nulls last,
                field_value nulls last
        ) as keep_priority
    from of_kept_and_dropped_parents

),

final as (

    select
        subject_id,
        hadm_id,
        {{ section_evidence_id('poe_details', ['hadm_id', 'seq']) }} as eid,
        parent_t_rel_min as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('poe_details', 'parent_is_kept') }} as is_kept,
        parent_eid,
        poe_id,
        poe_seq,
        field_name,
        field_value
    from ranked

)

select * from final
