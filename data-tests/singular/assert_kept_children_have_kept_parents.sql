-- Reference bug: child tables ignored parent caps. A kept child row must point at a kept parent row.
{%- set children = [] %}
{%- for section in packet_sections() if section.parent %}{% do children.append(section) %}{% endfor %}

with
{%- for section in children %}
{{ section.name }}_orphans as (

    select
        '{{ section.name }}' as section,
        child.eid,
        child.parent_eid
    from {{ ref('mart_packet_' ~ section.name) }} as child
    left join {{ ref('mart_packet_' ~ section.parent) }} as parent
        on child.parent_eid = parent.eid
    where child.is_kept
        and (parent.eid is null or not parent.is_kept)

),
{%- endfor %}

final as (

    {%- for section in children %}
    select * from {{ section.name }}_orphans
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select * from final
