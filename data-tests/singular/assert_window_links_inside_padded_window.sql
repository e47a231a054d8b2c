-- Link-method invariant: every time-window link lies inside its admission's padded window. Labs and eMAR are
-- read from their section marts, which hold every linked row (their linkage models are views).
{%- set pad = var('link_padding_hours') | int %}
{%- set linked = [
    ('mart_packet_labs', 'labevent_id', 'linked.charttime'),
    ('int_microbiology__linked', 'microevent_id', 'coalesce(linked.charttime, linked.chartdate)'),
    ('mart_packet_emar', 'emar_id', 'linked.charttime'),
    ('int_radiology__linked', 'note_id', 'linked.charttime'),
] %}

with admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),
{%- for model, key, time_key in linked %}

{{ model }}_outside as (

    select
        '{{ model }}' as model,
        cast(linked.{{ key }} as {{ dbt.type_string() }}) as row_key,
        linked.hadm_id
    from {{ ref(model) }} as linked
    inner join admissions
        on linked.hadm_id = admissions.hadm_id
    where linked.link_method = 'time_window'
        and (
            {{ time_key }} is null
            or {{ time_key }} < {{ dbt.dateadd('hour', -pad, 'admissions.window_start') }}
            or {{ time_key }} > {{ dbt.dateadd('hour', pad, 'admissions.window_end') }}
        )

),
{%- endfor %}

final as (

    {%- for model, key, time_key in linked %}
    select * from {{ model }}_outside
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select * from final
