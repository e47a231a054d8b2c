{#- Fails for each row where `column_name expression` (or `expression` alone on a model) is not true. -#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not ({{ column_name if column_name is not none else '' }} {{ expression }})
{% endtest %}
