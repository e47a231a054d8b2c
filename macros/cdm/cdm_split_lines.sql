{#-
    One row per line of `text_column` in `relation` (a CTE name): the key columns, `line_no` (1-based) and
    `line` (carriage returns removed).
-#}
{% macro cdm_split_lines(relation, key_columns, text_column='text') -%}
    select
        {%- for column in key_columns %}
        {{ relation }}.{{ column }},
        {%- endfor %}
        split.line_no,
        replace(split.line, chr(13), '') as line
    from {{ relation }}
    cross join unnest(string_to_array({{ relation }}.{{ text_column }}, chr(10))) with ordinality as split (line, line_no)
{%- endmacro %}
