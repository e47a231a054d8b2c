{#-
    Fails for each `group_by` value whose rows `columns` do not each number 1..n (n the group's rows): the sum of
    hash(number) over the group must equal the sum of hash(1..n), which numbers other than exactly 1..n match only
    by a collision of 64-bit hash sums; a null number fails. One aggregation over the groups, not over every
    (group, number) pair as a uniqueness test is.
-#}
{% test numbered_within(model, group_by, columns) %}
    with groups as (

        select
            {{ group_by }},
            count(*) as n_rows
            {%- for column in columns %},
            sum(hash({{ column }})::hugeint) as {{ column }}_hashes
            {%- endfor %}
        from {{ model }}
        group by {{ group_by }}

    ),

    one_to_n as (

        select
            numbers.n as n_rows,
            sum(hash(numbers.n)::hugeint) over (order by numbers.n) as hashes
        from range(1, (select max(groups.n_rows) from groups) + 1) as numbers (n)

    )

    select
        groups.{{ group_by }},
        groups.n_rows
    from groups
    inner join one_to_n on groups.n_rows = one_to_n.n_rows
    where
    {%- for column in columns %}
        {% if not loop.first %}or {% endif %}groups.{{ column }}_hashes is distinct from one_to_n.hashes
    {%- endfor %}
{% endtest %}
