{#-
    The cap rule, stated once: a row is kept when its parent row is kept (`true` in a top-level section) and its
    keep_priority is within the section's cap (null = uncapped). It lives in the warehouse as the DuckDB macro
    `marts.cap_keeps(keep_priority, cap, parent_is_kept)`, created before every run (on-run-start in
    dbt_project.yml): the ranking models call it with the build's caps (`is_kept`) and `Warehouse.packet` with
    query-time caps, so both evaluate the same expression and pass only numbers.
-#}
{% macro create_cap_rule() -%}
    create schema if not exists marts;
    create or replace macro marts.cap_keeps(keep_priority, cap, parent_is_kept) as
        parent_is_kept and (cap is null or keep_priority <= cap)
{%- endmacro %}

{#- The build-time cap of a packet section (its `cap_<section>` var; null = uncapped). -#}
{% macro section_cap(section) -%}
    {%- set cap_var = 'cap_' ~ packet_section(section).name -%}
    {%- set cap = var(cap_var) -%}
    {%- if cap is not none and (cap | int) < 0 -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ cap_var ~ " is " ~ cap ~ ": use a cap >= 0, or null for uncapped"
        ) }}
    {%- endif -%}
    {{ return(none if cap is none else cap | int) }}
{%- endmacro %}

{#- A ranking model's `is_kept`: the cap rule under the section's build-time cap; a child section passes its
    parent row's `is_kept` column as `parent_is_kept`. -#}
{% macro cap_keeps(section, parent_is_kept='true') -%}
    {%- set cap = section_cap(section) -%}
    marts.cap_keeps(keep_priority, {{ 'null' if cap is none else cap }}, {{ parent_is_kept }})
{%- endmacro %}

{#- True for the first and the last row (by `seq`) of each group (default: the whole section) of an admission. -#}
{% macro is_first_or_last(group_by=none) -%}
    {%- set partition = 'hadm_id' if group_by is none else 'hadm_id, ' ~ group_by -%}
    (
        seq = min(seq) over (partition by {{ partition }})
        or seq = max(seq) over (partition by {{ partition }})
    )
{%- endmacro %}
