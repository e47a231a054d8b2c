with radiology_notes as (

    select * from {{ ref('int_radiology__linked') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

of_admissions as (

    select
        radiology_notes.*,
        admissions.admittime
    from radiology_notes
    inner join admissions
        on radiology_notes.hadm_id = admissions.hadm_id
        and radiology_notes.subject_id = admissions.subject_id
    where radiology_notes.link_method = 'hadm_id'

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                charttime nulls last,
                note_seq nulls last,
                note_id nulls last
        ) as seq
    from of_admissions

),

tiered as (

    select
        *,
        case
            when {{ is_first_or_last() }} then 1
            else 2
        end as keep_tier
    from ordered

),

ranked as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by keep_tier, seq
        ) as keep_priority
    from tiered

),

final as (

    select
        subject_id,
        hadm_id,
        {{ section_evidence_id('radiology_notes', ['note_id']) }} as eid,
        {{ minutes_since('admittime', "charttime") }} as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('radiology_notes') }} as is_kept,
        note_id,
        note_type,
        note_seq,
        charttime,
        storetime,
        text,
        link_method
    from ranked

)

select * from final
