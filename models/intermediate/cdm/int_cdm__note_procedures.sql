{#-
    The discharge note's "Major Surgical or Invasive Procedure" list, one row per item, as CDMv1 reads it
    (its "Procedures Discharge"): the section's lines joined into one, split at ": ", ", ", ". " and " - ".
    Items are cleaned (bullets and numbering removed, whitespace squashed, lower case); items without a letter
    and "none"-like items ("none", "n/a", "___") are dropped. `category` is the scored treatment the item
    names (`cdm_procedure_keywords`, lowest priority first), null when none.
-#}
with sections as (

    select * from {{ ref('int_cdm__discharge_sections') }}

),

procedure_sections as (

    select
        note_id,
        hadm_id,
        section_seq,
        {{ cdm_regexp_replace_ci(
            "replace(replace(section_text, chr(13), ''), chr(10), ' ')", "': |, |\\. | - '", 'chr(10)'
        ) }} as items_text
    from sections
    where section_key = 'major_procedure'

),

split_items as (

    {{ cdm_split_lines('procedure_sections', ['note_id', 'hadm_id', 'section_seq'], 'items_text') }}

),

cleaned as (

    select
        note_id,
        hadm_id,
        section_seq,
        line_no,
        lower({{ cdm_squash_whitespace(cdm_regexp_replace_ci('line', "'^[-*#>• \t]+|^[0-9]+[.)][ \t]*'", "''")) }})
            as title
    from split_items

),

kept as (

    select
        note_id,
        hadm_id,
        row_number() over (partition by note_id order by section_seq, line_no) as item_no,
        title
    from cleaned
    where {{ cdm_regexp_matches_ci('title', "'[a-z]'") }}
        and not {{ cdm_regexp_matches_ci('title', "'^(none|n/a|na|no procedures?|___)[ .]*$'") }}

),

final as (

    select
        note_id,
        hadm_id,
        item_no,
        title,
        {{ cdm_procedure_category('title') }} as category
    from kept

)

select * from final
