-- Cap invariants per section and admission: a row is kept only within the build's cap and with its parent
-- kept; a top-level section keeps exactly min(rows_seen, cap) rows; a child section keeps every child of a
-- kept parent up to its cap.
{%- set sections = packet_sections() %}

with
{%- for section in sections %}
{%- set cap = section_cap(section.name) %}

{{ section.name }}_rows as (

    select * from {{ ref('mart_packet_' ~ section.name) }}

),

{{ section.name }}_violations as (

    select
        '{{ section.name }}' as section,
        section_rows.hadm_id,
        count(*) as rows_seen,
        sum(case when section_rows.is_kept then 1 else 0 end) as rows_kept
    from {{ section.name }}_rows as section_rows
    {%- if section.parent %}
    where section_rows.parent_eid in (
            select parent_rows.eid
            from {{ ref('mart_packet_' ~ section.parent) }} as parent_rows
            where parent_rows.is_kept
        )
    {%- endif %}
    group by section_rows.hadm_id
    having
        sum(case when section_rows.is_kept then 1 else 0 end)
        <> {% if cap is none %}count(*)
    {% else %}least(count(*), {{ cap }}){% endif %}
        {%- if cap is not none %}
        or sum(case when section_rows.is_kept and section_rows.keep_priority > {{ cap }} then 1 else 0 end) > 0
        {%- endif %}

),
{%- endfor %}

final as (

    {%- for section in sections %}
    select * from {{ section.name }}_violations
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select * from final
