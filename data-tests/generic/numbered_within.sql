{#-
    Fails for each `group_by` value whose rows `columns` do not each number 1..n (n the group's rows): smallest 1,
    largest n, and the sum and the sum of squares of 1..n. One hash aggregation over the groups, not over every
    (group, number) pair as a uniqueness test is. Row numbers (row_number(), or arithmetic over them) repeat only
    when a group is numbered twice or its rows are copied, and then the largest number is below the row count.
-#}
{% test numbered_within(model, group_by, columns) %}
    {%- set n = 'count(*)::hugeint' %}
    select
        {{ group_by }},
        count(*) as n_rows
    from {{ model }}
    group by {{ group_by }}
    having
    {%- for column in columns %}
        {% if not loop.first %}or {% endif -%}
        min({{ column }}) is distinct from 1
        or max({{ column }}) is distinct from {{ n }}
        or sum({{ column }}::hugeint) is distinct from {{ n }} * ({{ n }} + 1) // 2
        or sum({{ column }}::hugeint * {{ column }}) is distinct from {{ n }} * ({{ n }} + 1) * (2 * {{ n }} + 1) // 6
    {%- endfor %}
{% endtest %}
