{#- Fails for each group holding more than `max_rows` rows (a cap invariant); an empty or None max passes. -#}
{% test max_rows_per_group(model, group_by, max_rows) %}
    {%- if max_rows is none or (max_rows | string | trim) in ('', 'None', 'none') -%}
    select 1 as no_cap where 1 = 0
    {%- else -%}
    select
        {{ group_by }},
        count(*) as n_rows
    from {{ model }}
    group by {{ group_by }}
    having count(*) > {{ max_rows }}
    {%- endif %}
{% endtest %}
