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

{#-
    The body of mart_packet_<name>: every row of the section's ranking model, kept and dropped, sorted by
    (hadm_id, seq) so that zonemaps let one admission's read skip every other segment; written one batch of
    admissions at a time (admission_batched).
-#}
{% macro packet_section_mart(name) -%}
    {%- set section = packet_section(name) -%}
    {{ written_in_admission_batches() }}

with ranked as (

    select * from {{ ref(section.model) }}
    where {{ in_admission_batch('hadm_id') }}

),

final as (

    select
        subject_id,
        hadm_id,
        eid,
        t_rel_min,
        seq,
        keep_priority,
        is_kept,
        {%- for column in section.columns %}
        {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from ranked

)

select * from final
order by hadm_id, seq
{%- endmacro %}
