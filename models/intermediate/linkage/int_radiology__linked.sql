{%- set note_columns = ['note_id', 'subject_id', 'note_type', 'note_seq', 'charttime', 'storetime', 'text'] -%}

with radiology as (

    select * from {{ ref('stg_mimic_note__radiology') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

unlinked_notes as (

    select * from {{ ref('int_notes__unlinked') }}

),

by_hadm_id as (

    select
        {%- for column in note_columns %}
        radiology.{{ column }},
        {%- endfor %}
        radiology.hadm_id,
        radiology.hadm_id as source_hadm_id,
        'hadm_id' as link_method
    from radiology
    inner join admissions
        on radiology.hadm_id = admissions.hadm_id
        and radiology.subject_id = admissions.subject_id

),

by_time_window as (

    select
        {%- for column in note_columns %}
        {{ column }},
        {%- endfor %}
        hadm_id,
        source_hadm_id,
        link_method
    from unlinked_notes
    where note_kind = 'radiology'
        and link_method = 'time_window'

),

final as (

    select * from by_hadm_id
    union all
    select * from by_time_window

)

select * from final
