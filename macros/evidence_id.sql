{#- `PREFIX#part1-part2...`: a section row's evidence id (docs/architecture.md, "Evidence ids and time"). -#}
{% macro evidence_id(prefix, parts) -%}
    {%- set pieces = ["'" ~ prefix ~ "#'"] -%}
    {%- for part in parts -%}
        {%- if not loop.first %}{% do pieces.append("'-'") %}{% endif -%}
        {%- do pieces.append(dbt.cast(part, dbt.type_string())) -%}
    {%- endfor -%}
    {{ dbt.concat(pieces) }}
{%- endmacro %}
