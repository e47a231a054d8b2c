-- Reference bug: hadm_id rows and time-window rows were concatenated without re-sorting. Within each
-- admission, seq never goes back in time (on each section's leading time key).
{%- set checks = [
    ('labs', 'charttime'),
    ('microbiology', 'coalesce(charttime, chartdate)'),
    ('emar', 'charttime'),
    ('transfers', 'intime'),
    ('poe', 'ordertime'),
    ('radiology_notes', 'charttime'),
] %}

with
{%- for section, time_key in checks %}
{{ section }}_steps as (

    select
        '{{ section }}' as section,
        hadm_id,
        seq,
        {{ time_key }} as event_time,
        lag({{ time_key }}) over (partition by hadm_id order by seq) as previous_time
    from {{ ref('mart_packet_' ~ section) }}

),
{%- endfor %}

final as (

    {%- for section, time_key in checks %}
    select * from {{ section }}_steps
    where event_time < previous_time
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select * from final
