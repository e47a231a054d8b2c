{#- The SQL engine's version as text, for mart_build_info (null where the engine has no such function). -#}
{% macro engine_version() -%}
    {{ return(adapter.dispatch('engine_version', 'mimicbench')()) }}
{%- endmacro %}

{% macro default__engine_version() -%}
    cast(null as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__engine_version() -%}
    version()
{%- endmacro %}
