{#-
    The admission physical exam kept apart from the discharge exam. Admission exam: the physical-exam sections
    before the first discharge-exam section, cut at the first discharge or results marker inside the text
    (`cdm_exam_cut_markers`), whitespace squashed (not yet scrubbed).
-#}
with sections as (

    select * from {{ ref('int_cdm__discharge_sections') }}

),

markers as (

    select * from {{ ref('cdm_exam_cut_markers') }}

),

cut_pattern as (

    select
        '{{ cdm_word_boundary() }}(' || {{ dbt.listagg(
            cdm_keyword_regex('marker') ~ " || case when marker like '%:' then '' else '" ~ cdm_word_boundary() ~ "' end",
            "'|'", 'order by marker'
        ) }} || ').*$' as pattern
    from markers

),

first_discharge_exam as (

    select note_id, min(section_seq) as section_seq
    from sections
    where section_key = 'discharge_exam'
    group by note_id

),

exams as (

    select
        sections.note_id,
        sections.hadm_id,
        {{ dbt.listagg(
            "case when sections.section_key = 'physical_exam' and sections.section_seq < coalesce(first_discharge_exam.section_seq, sections.section_seq + 1) then sections.section_text end",
            'chr(10)', 'order by sections.section_seq'
        ) }} as admission_exam_raw,
        {{ dbt.listagg(
            "case when sections.section_key = 'discharge_exam' then sections.section_text end",
            'chr(10)', 'order by sections.section_seq'
        ) }} as discharge_exam_raw
    from sections
    left join first_discharge_exam on first_discharge_exam.note_id = sections.note_id
    where sections.section_key in ('physical_exam', 'discharge_exam')
    group by sections.note_id, sections.hadm_id

),

final as (

    select
        exams.note_id,
        exams.hadm_id,
        nullif(
            {{ cdm_squash_whitespace(cdm_regexp_replace_ci('exams.admission_exam_raw', 'cut_pattern.pattern', "''")) }},
            ''
        )
            as admission_exam,
        nullif({{ cdm_squash_whitespace('exams.discharge_exam_raw') }}, '') as discharge_exam
    from exams
    cross join cut_pattern

)

select * from final
