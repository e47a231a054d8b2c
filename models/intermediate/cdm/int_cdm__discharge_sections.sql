{#- The discharge note split into its sections, in note order: one row per section occurrence. -#}
with lines as (

    select * from {{ ref('int_cdm__discharge_lines') }}

),

final as (

    select
        note_id,
        hadm_id,
        section_seq,
        section_key,
        {{ cdm_trim_space(dbt.listagg('body', 'chr(10)', 'order by line_no')) }} as section_text
    from lines
    group by note_id, hadm_id, section_seq, section_key

)

select * from final
