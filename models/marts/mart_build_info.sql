{%- set caps = {} -%}
{%- for section in packet_sections() -%}
{%- do caps.update({section.name: section_cap(section.name)}) -%}
{%- endfor -%}
{%- set build_vars = {
    'link_padding_hours': var('link_padding_hours'),
    'emar_time_window_fallback': var('emar_time_window_fallback'),
} -%}

with final as (

    select
        '{{ data_origin() }}' as data_origin,
        '{{ var("mimic_iv_version") }}' as mimic_iv_version,
        '{{ var("mimic_iv_note_version") }}' as mimic_iv_note_version,
        '{{ dbt_version }}' as dbt_version,
        '{{ adapter.type() }}' as engine,
        {{ engine_version() }} as engine_version,
        '{{ tojson(caps) }}' as caps_json,
        '{{ tojson(build_vars) }}' as vars_json,
        '{{ invocation_id }}' as invocation_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as built_at_utc

)

select * from final
