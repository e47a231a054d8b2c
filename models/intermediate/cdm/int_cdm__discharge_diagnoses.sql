{#-
    Primary discharge diagnoses from the last "Discharge Diagnosis" section: one row per line before a
    "Secondary" heading, bullets, numbering and "Primary:" labels removed, lines without a letter ("=====")
    skipped; `pathology` is the target pathology named first in that line (whole word,
    `cdm_pathology_keywords`), null when none.
-#}
with lines as (

    select * from {{ ref('int_cdm__discharge_lines') }}

),

pathology_keywords as (

    select * from {{ ref('cdm_pathology_keywords') }}

),

last_section as (

    select note_id, max(section_seq) as section_seq
    from lines
    where section_key = 'discharge_diagnosis'
    group by note_id

),

cleaned as (

    select
        lines.note_id,
        lines.hadm_id,
        lines.line_no,
        trim({{ cdm_regexp_replace_ci('lines.body', "'^[-*#>• \t]+|^[0-9]+[.)][ \t]*'", "''") }}) as item
    from lines
    inner join last_section
        on last_section.note_id = lines.note_id
        and last_section.section_seq = lines.section_seq

),

flagged as (

    select
        *,
        max(case when lower(item) like 'secondary%' then 1 else 0 end) over (
            partition by note_id order by line_no rows between unbounded preceding and current row
        ) as is_secondary
    from cleaned

),

primary_items as (

    select
        note_id,
        hadm_id,
        line_no,
        trim({{ cdm_regexp_replace_ci('item', "'^primary( +(diagnos[ie]s|dx))? *:?'", "''") }}) as title
    from flagged
    where is_secondary = 0

),

numbered as (

    select
        note_id,
        hadm_id,
        row_number() over (partition by note_id order by line_no) as seq_num,
        title
    from primary_items
    where {{ cdm_regexp_matches_ci('title', "'[a-z]'") }}

),

keyword_hits as (

    select
        numbered.note_id,
        pathology_keywords.pathology,
        row_number() over (
            partition by numbered.note_id, numbered.seq_num
            order by
                {{ dbt.position('lower(pathology_keywords.keyword)', 'lower(numbered.title)') }},
                pathology_keywords.pathology
        ) as hit_rank,
        numbered.seq_num
    from numbered
    inner join pathology_keywords
        on {{ cdm_regexp_matches_ci(
            'numbered.title',
            "'" ~ cdm_word_boundary() ~ "' || " ~ cdm_keyword_regex('pathology_keywords.keyword') ~ " || '" ~ cdm_word_boundary() ~ "'"
        ) }}

),

final as (

    select
        numbered.note_id,
        numbered.hadm_id,
        numbered.seq_num,
        numbered.title,
        keyword_hits.pathology
    from numbered
    left join keyword_hits
        on keyword_hits.note_id = numbered.note_id
        and keyword_hits.seq_num = numbered.seq_num
        and keyword_hits.hit_rank = 1

)

select * from final
