with unlinked_notes as (

    select * from {{ ref('int_notes__unlinked') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

final as (

    select
        unlinked_notes.note_kind,
        unlinked_notes.note_id,
        unlinked_notes.subject_id,
        unlinked_notes.hadm_id,
        unlinked_notes.source_hadm_id,
        unlinked_notes.link_method,
        case
            when unlinked_notes.note_kind = 'discharge'
                then {{ section_evidence_id('discharge_notes', ['unlinked_notes.note_id']) }}
            else {{ section_evidence_id('radiology_notes', ['unlinked_notes.note_id']) }}
        end as eid,
        {{ minutes_since('admissions.admittime', 'unlinked_notes.charttime') }} as t_rel_min,
        unlinked_notes.nearest_hadm_id,
        unlinked_notes.minutes_to_nearest_admission,
        unlinked_notes.note_type,
        unlinked_notes.note_seq,
        unlinked_notes.charttime,
        unlinked_notes.storetime,
        unlinked_notes.text
    from unlinked_notes
    left join admissions
        on unlinked_notes.hadm_id = admissions.hadm_id

)

select * from final
order by subject_id, charttime, note_id
