{#-
    The last discharge note of each candidate admission, one row per line, each line tagged with the section
    it belongs to. A line opens a section when its text before the first colon (or the whole line) is a
    header from the `cdm_note_sections` seed; the header itself is not part of the section body. Headers of
    scope `exam` ("On admission:", "On discharge:") open a section only inside a physical-exam section, so
    "On admission: febrile" in the history or the hospital course stays where it is. Only candidate
    admissions' notes are split into lines.
-#}
with discharge as (

    select * from {{ ref('stg_mimic_note__discharge') }}

),

candidates as (

    select * from {{ ref('int_cdm__icd_candidates') }}

),

section_headers as (

    select * from {{ ref('cdm_note_sections') }}

),

ranked_notes as (

    select
        discharge.note_id,
        discharge.hadm_id,
        discharge.text,
        row_number() over (
            partition by discharge.hadm_id
            order by discharge.charttime desc, discharge.note_seq desc, discharge.note_id desc
        ) as note_rank
    from discharge
    where discharge.hadm_id in (select candidates.hadm_id from candidates)

),

notes as (

    select note_id, hadm_id, text from ranked_notes where note_rank = 1

),

lines as (

    {{ cdm_split_lines('notes', ['note_id', 'hadm_id']) }}

),

header_candidates as (

    select
        note_id,
        hadm_id,
        line_no,
        line,
        {{ dbt.position("':'", 'line') }} as colon_at,
        lower(trim({{ cdm_regexp_replace_ci(
            "case when " ~ dbt.position("':'", 'line') ~ " > 0 then " ~ dbt.split_part('line', "':'", 1) ~ " else line end",
            "'^[^a-z]+|[^a-z)]+$'",
            "''"
        ) }})) as header_text
    from lines

),

matched_headers as (

    select
        header_candidates.note_id,
        header_candidates.hadm_id,
        header_candidates.line_no,
        header_candidates.line,
        header_candidates.colon_at,
        section_headers.section_key as header_key,
        section_headers.scope as header_scope
    from header_candidates
    left join section_headers on section_headers.header = header_candidates.header_text

),

note_level as (

    select
        *,
        sum(case when header_scope = 'note' then 1 else 0 end) over (
            partition by note_id order by line_no rows between unbounded preceding and current row
        ) as note_section_seq
    from matched_headers

),

note_context as (

    select
        *,
        max(case when header_scope = 'note' then header_key end) over (partition by note_id, note_section_seq)
            as note_section_key
    from note_level

),

headed as (

    select
        note_id,
        hadm_id,
        line_no,
        line,
        colon_at,
        case
            when header_scope = 'note' then header_key
            when header_scope = 'exam' and note_section_key in ('physical_exam', 'discharge_exam') then header_key
        end as header_key
    from note_context

),

numbered as (

    select
        note_id,
        hadm_id,
        line_no,
        case
            when header_key is null then line
            when colon_at > 0 then trim({{ dbt.right('line', dbt.length('line') ~ ' - colon_at') }})
            else ''
        end as body,
        header_key,
        sum(case when header_key is null then 0 else 1 end) over (
            partition by note_id order by line_no rows between unbounded preceding and current row
        ) as section_seq
    from headed

),

final as (

    select
        note_id,
        hadm_id,
        line_no,
        section_seq,
        coalesce(max(header_key) over (partition by note_id, section_seq), 'preamble') as section_key,
        body
    from numbered

)

select * from final
