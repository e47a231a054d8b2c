{#- Fails for each combination of `columns` that occurs more than once (checked in passes: duplicate_keys). -#}
{% test unique_combination(model, columns) %}
    {{ duplicate_keys(model, columns) }}
{% endtest %}
