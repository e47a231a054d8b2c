{#- `PREFIX#part1-part2...`: a row's evidence id (docs/architecture.md, "Evidence ids and time"). -#}
{% macro evidence_id(prefix, parts) -%}
    {%- set pieces = ["'" ~ prefix ~ "#'"] -%}
    {%- for part in parts -%}
        {%- if not loop.first %}{% do pieces.append("'-'") %}{% endif -%}
        {%- do pieces.append(dbt.cast(part, dbt.type_string())) -%}
    {%- endfor -%}
    {{ dbt.concat(pieces) }}
{%- endmacro %}

{#- The evidence id of a packet section's row: the section's `evidence_prefix` (packet_sections var),
    then the parts. -#}
{% macro section_evidence_id(section, parts) -%}
    {{ evidence_id(packet_section(section).evidence_prefix, parts) }}
{%- endmacro %}
