{#- Whole minutes from `start_time` to `event_time`, floor semantics (negative before the start, null without
    a time). -#}
{% macro minutes_since(start_time, event_time) -%}
    cast(floor({{ dbt.datediff(start_time, event_time, 'second') }} / 60.0) as {{ dbt.type_bigint() }})
{%- endmacro %}
