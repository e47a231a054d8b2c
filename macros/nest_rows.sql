{#-
    Aggregate the rows of one admission that satisfy `where` into a DuckDB LIST(STRUCT) ordered by `order_by`;
    `coalesce_nested_rows()` gives an admission without rows an empty list, never null.
-#}
{% macro nest_rows(columns, order_by, where) -%}
    list({ {%- for column in columns %}'{{ column }}': {{ column }}{% if not loop.last %}, {% endif %}{% endfor -%} } order by {{ order_by }})
        filter (where {{ where }})
{%- endmacro %}

{% macro coalesce_nested_rows(expression) -%}
    coalesce({{ expression }}, [])
{%- endmacro %}

{#- One packet section per admission, from its long mart: rows seen, rows kept (`is_kept`), the rows matching
    `where`. -#}
{% macro nested_section(section, where) -%}
    select
        hadm_id,
        count(*) as rows_seen,
        sum(case when is_kept then 1 else 0 end) as rows_kept,
        {{ nest_rows(['eid', 't_rel_min', 'seq', 'keep_priority'] + section.columns, 'seq', where) }} as section_rows
    from {{ ref('mart_packet_' ~ section.name).include(database=false) }}
    group by hadm_id
{%- endmacro %}
