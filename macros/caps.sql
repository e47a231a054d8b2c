{#- The build-time cap of a packet section (`cap_<section>` var; null = uncapped). -#}
{% macro section_cap(section) -%}
    {%- set cap = var(packet_section(section).cap_var) -%}
    {%- if cap is not none and (cap | int) < 0 -%}
        {{ exceptions.raise_compiler_error("var " ~ packet_section(section).cap_var ~ " is " ~ cap ~ ": use a cap >= 0, or null for uncapped") }}
    {%- endif -%}
    {{ return(none if cap is none else cap | int) }}
{%- endmacro %}

{#- True when a row survives the section's cap: its keep_priority is within the cap (parents' caps come first). -#}
{% macro within_cap(section, priority_column='keep_priority') -%}
    {%- set cap = section_cap(section) -%}
    {%- if cap is none -%} true {%- else -%} ({{ priority_column }} <= {{ cap }}) {%- endif -%}
{%- endmacro %}

{#- True for the first and the last row (by `seq`) of each group (default: the whole section) of an admission. -#}
{% macro is_first_or_last(group_by=none) -%}
    {%- set partition = 'hadm_id' if group_by is none else 'hadm_id, ' ~ group_by -%}
    (
        seq = min(seq) over (partition by {{ partition }})
        or seq = max(seq) over (partition by {{ partition }})
    )
{%- endmacro %}
