{#-
    The packet sections, in packet order: the `packet_sections` var of dbt_project.yml, the one declaration of
    each section (ranking model, parent section, evidence prefix, mart columns besides the common `eid`,
    `t_rel_min`, `seq`, `keep_priority`, prompt columns; its cap is the var `cap_<name>`). generator/sections.py
    reads the same var. mart_packets, the mart_packet_<section> models, mart_build_info and the section tests
    loop over it.
-#}
{% macro packet_sections() -%}
    {{ return(var('packet_sections')) }}
{%- endmacro %}

{#- One section's entry of `packet_sections()`. -#}
{% macro packet_section(name) -%}
    {%- for section in packet_sections() if section.name == name -%}
        {{ return(section) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "unknown packet section " ~ name ~ ": declare it in the packet_sections var of dbt_project.yml"
    ) }}
{%- endmacro %}
