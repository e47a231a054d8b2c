{#-
    Aggregate the rows of one admission that satisfy `where` into a list of structs ordered by `order_by`.
    Nested types differ per engine, so this is dispatched: DuckDB builds LIST(STRUCT); the documented default is
    the BigQuery / Spark form `array_agg(struct(...) order by ...)`. `empty_nested_rows()` is the value for an
    admission without rows (an empty list, never null).
-#}
{% macro nest_rows(columns, order_by, where) -%}
    {{ return(adapter.dispatch('nest_rows', 'mimicbench')(columns, order_by, where)) }}
{%- endmacro %}

{% macro default__nest_rows(columns, order_by, where) -%}
    array_agg(
        case when {{ where }} then struct({% for column in columns %}{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}) end
        ignore nulls order by {{ order_by }}
    )
{%- endmacro %}

{% macro duckdb__nest_rows(columns, order_by, where) -%}
    list({ {%- for column in columns %}'{{ column }}': {{ column }}{% if not loop.last %}, {% endif %}{% endfor -%} } order by {{ order_by }})
        filter (where {{ where }})
{%- endmacro %}

{% macro coalesce_nested_rows(expression) -%}
    {{ return(adapter.dispatch('coalesce_nested_rows', 'mimicbench')(expression)) }}
{%- endmacro %}

{% macro default__coalesce_nested_rows(expression) -%}
    coalesce({{ expression }}, [])
{%- endmacro %}

{#- One packet section per admission, from its long mart: rows seen, rows kept (`is_kept`), the rows matching `where`. -#}
{% macro nested_section(section, where) -%}
    select
        hadm_id,
        count(*) as rows_seen,
        sum(case when is_kept then 1 else 0 end) as rows_kept,
        {{ nest_rows(['eid', 't_rel_min', 'seq', 'keep_priority'] + section.columns, 'seq', where) }} as section_rows
    from {{ ref('mart_packet_' ~ section.name).include(database=false) }}
    group by hadm_id
{%- endmacro %}
