-- Each section's rows_seen / rows_kept / truncated in mart_packets equal the counts of its long mart
-- (mart_packet_<section>), and the kept-row marts (mart_labs, mart_emar, mart_radiology) hold the kept rows.
{%- set sections = packet_sections() %}

with packets as (

    select * from {{ ref('mart_packets') }}

),
{% for section in sections %}
{{ section.name }}_counts as (

    select
        '{{ section.name }}' as section,
        hadm_id,
        count(*) as rows_seen,
        sum(case when is_kept then 1 else 0 end) as rows_kept
    from {{ ref('mart_packet_' ~ section.name) }}
    group by hadm_id

),

{{ section.name }}_mismatches as (

    select
        '{{ section.name }}' as section,
        packets.hadm_id
    from packets
    left join {{ section.name }}_counts
        on packets.hadm_id = {{ section.name }}_counts.hadm_id
    where packets.{{ section.name }}_rows_seen <> coalesce({{ section.name }}_counts.rows_seen, 0)
        or packets.{{ section.name }}_rows_kept <> coalesce({{ section.name }}_counts.rows_kept, 0)
        or (
            packets.{{ section.name }}_truncated
            <> (packets.{{ section.name }}_rows_kept < packets.{{ section.name }}_rows_seen)
        )

),
{% endfor %}
{%- for mart, section in [('mart_labs', 'labs'), ('mart_emar', 'emar'), ('mart_radiology', 'radiology_notes')] %}
{{ mart }}_counts as (

    select
        hadm_id,
        count(*) as n_rows
    from {{ ref(mart) }}
    group by hadm_id

),

{{ mart }}_mismatches as (

    select
        '{{ mart }}' as section,
        packets.hadm_id
    from packets
    left join {{ mart }}_counts
        on packets.hadm_id = {{ mart }}_counts.hadm_id
    where packets.{{ section }}_rows_kept <> coalesce({{ mart }}_counts.n_rows, 0)

),
{% endfor %}
final as (

    {%- for section in sections %}
    select * from {{ section.name }}_mismatches
    union all
    {%- endfor %}
    select * from mart_labs_mismatches
    union all
    select * from mart_emar_mismatches
    union all
    select * from mart_radiology_mismatches

)

select * from final
