{#-
    Radiology reports of candidate admissions: exam name from the note's own detail rows, else from its
    parent note's; history, indication, comparison, impression and similar sections removed (an UPPER-CASE
    "HEADER:" line opens a section; `cdm_radiology_drop_sections`); modality and region from
    `cdm_imaging_keywords` matched on the exam name, else on the report text (lowest priority wins).
-#}
with reports as (

    select * from {{ ref('int_radiology__linked') }}

),

details as (

    select * from {{ ref('stg_mimic_note__radiology_detail') }}

),

candidates as (

    select distinct hadm_id from {{ ref('int_cdm__icd_candidates') }}

),

drop_sections as (

    select * from {{ ref('cdm_radiology_drop_sections') }}

),

first_procedures as (

    select * from {{ ref('int_cdm__first_procedures') }}

),

candidate_reports as (

    select note_id, hadm_id, charttime, text, link_method
    from reports
    where hadm_id in (select candidates.hadm_id from candidates)

),

candidate_details as (

    select note_id, field_name, field_value
    from details
    where field_name in ('exam_name', 'parent_note_id')
        and note_id in (select candidate_reports.note_id from candidate_reports)

),

parent_notes as (

    select note_id, min(field_value) as parent_note_id
    from candidate_details
    where field_name = 'parent_note_id'
    group by note_id

),

own_exam_names as (

    select note_id, min(field_value) as exam_name
    from candidate_details
    where field_name = 'exam_name'
    group by note_id

),

parent_exam_names as (

    select note_id, min(field_value) as exam_name
    from details
    where field_name = 'exam_name'
        and note_id in (select parent_notes.parent_note_id from parent_notes)
    group by note_id

),

named as (

    select
        candidate_reports.*,
        coalesce(own_exam_names.exam_name, parent_exam_names.exam_name) as exam_name
    from candidate_reports
    left join own_exam_names on own_exam_names.note_id = candidate_reports.note_id
    left join parent_notes on parent_notes.note_id = candidate_reports.note_id
    left join parent_exam_names on parent_exam_names.note_id = parent_notes.parent_note_id

),

lines as (

    {{ cdm_split_lines('named', ['note_id']) }}

),

headed as (

    select
        note_id,
        line_no,
        line,
        case
            when {{ dbt.position("':'", 'line') }} between 3 and 41
                and upper({{ dbt.split_part('line', "':'", 1) }}) = {{ dbt.split_part('line', "':'", 1) }}
                and lower({{ dbt.split_part('line', "':'", 1) }}) <> {{ dbt.split_part('line', "':'", 1) }}
                then lower(trim({{ dbt.split_part('line', "':'", 1) }}))
        end as header
    from lines

),

sectioned as (

    select
        headed.*,
        sum(case when headed.header is null then 0 else 1 end) over (
            partition by headed.note_id order by headed.line_no rows between unbounded preceding and current row
        ) as section_seq
    from headed

),

section_headers as (

    select
        sectioned.note_id,
        sectioned.section_seq,
        max(case when drop_sections.header_prefix is not null then 1 else 0 end) as is_dropped
    from sectioned
    left join drop_sections on sectioned.header like drop_sections.header_prefix || '%'
    where sectioned.header is not null
    group by sectioned.note_id, sectioned.section_seq

),

kept_text as (

    select
        sectioned.note_id,
        {{ cdm_trim_space(dbt.listagg('sectioned.line', 'chr(10)', 'order by sectioned.line_no')) }} as report_text
    from sectioned
    left join section_headers
        on section_headers.note_id = sectioned.note_id
        and section_headers.section_seq = sectioned.section_seq
    where coalesce(section_headers.is_dropped, 0) = 0
    group by sectioned.note_id

),

classified as (

    select
        named.note_id,
        named.hadm_id,
        named.exam_name,
        coalesce(
            {{ cdm_imaging_class('named.exam_name', 'modality') }},
            {{ cdm_imaging_class('kept_text.report_text', 'modality') }}
        ) as modality,
        coalesce(
            {{ cdm_imaging_class('named.exam_name', 'region') }},
            {{ cdm_imaging_class('kept_text.report_text', 'region') }}
        ) as region,
        kept_text.report_text,
        named.charttime,
        named.link_method
    from named
    left join kept_text on kept_text.note_id = named.note_id

),

final as (

    select
        classified.*,
        row_number() over (
            partition by classified.hadm_id order by classified.charttime, classified.note_id
        ) as sequence_num,
        case
            when first_procedures.first_procedure_at is null
                or classified.charttime < first_procedures.first_procedure_at
                then row_number() over (
                    partition by
                        classified.hadm_id,
                        classified.modality,
                        classified.region,
                        first_procedures.first_procedure_at is null
                        or classified.charttime < first_procedures.first_procedure_at
                    order by classified.charttime, classified.note_id
                )
        end as pre_procedure_rank
    from classified
    left join first_procedures on first_procedures.hadm_id = classified.hadm_id
    where classified.exam_name is not null
        and classified.report_text <> ''
        and classified.modality is not null
        and classified.region is not null

)

select * from final
