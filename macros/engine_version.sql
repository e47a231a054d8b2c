{#- The SQL engine's version as text, for mart_build_info. -#}
{% macro engine_version() -%}
    version()
{%- endmacro %}
