{#-
    The keys of `model` (a combination of `columns`) that more than one row holds, with how many rows: the body of
    the uniqueness tests. A table of more than var('uniqueness_rows_per_pass') rows is checked in passes, each the
    keys of one hash partition, so a test holds about that many keys at a time whatever the table's size.
-#}
{% macro duplicate_keys(model, columns, where=none) %}
    {%- set key = columns | join(', ') -%}
    {%- set passes = uniqueness_passes(model) -%}
    {%- for pass in range(passes) %}
    {% if not loop.first %}union all{% endif %}
    (
        select
            {{ key }},
            count(*) as n_rows
        from {{ model }}
        where {{ where or 'true' }}
            {%- if passes > 1 %} and hash({{ key }}) % {{ passes }} = {{ pass }}{% endif %}
        group by {{ key }}
        having count(*) > 1
    )
    {%- endfor %}
{% endmacro %}

{#- How many passes `duplicate_keys` makes over `model`: one, unless the built table is larger than a pass. -#}
{% macro uniqueness_passes(model) %}
    {%- if not execute or load_relation(model) is none -%}
        {{ return(1) }}
    {%- endif -%}
    {%- set rows = run_query('select count(*) from ' ~ model).columns[0].values()[0] -%}
    {{ return([1, (rows / var('uniqueness_rows_per_pass')) | round(0, 'ceil') | int] | max) }}
{% endmacro %}
