{#- History of present illness followed by past medical history, on one line (not yet scrubbed). -#}
with sections as (

    select * from {{ ref('int_cdm__discharge_sections') }}

),

picked as (

    select
        note_id,
        hadm_id,
        {{ dbt.listagg(
            "case when section_key = 'history_of_present_illness' then section_text end",
            'chr(10)', 'order by section_seq'
        ) }} as hpi,
        {{ dbt.listagg(
            "case when section_key = 'past_medical_history' then section_text end",
            'chr(10)', 'order by section_seq'
        ) }} as pmh
    from sections
    where section_key in ('history_of_present_illness', 'past_medical_history')
        and section_text <> ''
    group by note_id, hadm_id

),

final as (

    select
        note_id,
        hadm_id,
        nullif({{ cdm_squash_whitespace('hpi') }}, '') as hpi,
        nullif({{ cdm_squash_whitespace('pmh') }}, '') as pmh
    from picked

)

select * from final
