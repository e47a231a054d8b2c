-- Cap invariants per section and admission: a row is kept only within the build's cap and with its parent
-- kept; a top-level section keeps exactly min(rows_seen, cap) rows; a child section keeps every child of a
-- kept parent up to its cap.
with violations as (
    {%- for section in packet_sections() %}
    {%- set cap = section_cap(section.name) %}

    select
        '{{ section.name }}' as section,
        section_rows.hadm_id,
        count(*) as rows_seen,
        sum(case when section_rows.is_kept then 1 else 0 end) as rows_kept
    from {{ ref('mart_packet_' ~ section.name) }} as section_rows
    {% if section.parent -%}
    inner join {{ ref('mart_packet_' ~ section.parent) }} as parent_rows
        on section_rows.subject_id = parent_rows.subject_id
        and section_rows.parent_eid = parent_rows.eid
    where parent_rows.is_kept
    {% endif -%}
    group by section_rows.hadm_id
    having
        sum(case when section_rows.is_kept then 1 else 0 end)
        <> {{ 'count(*)' if cap is none else 'least(count(*), ' ~ cap ~ ')' }}
        or sum(case
            when section_rows.is_kept and not ({{ within_cap(section.name, 'section_rows.keep_priority') }})
                then 1
            else 0
        end) > 0
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

)

select * from violations
