{#- dbt's `unique`, in this project's passes (duplicate_keys), so that its memory does not grow with the table:
    fails for each non-null value of the column that occurs more than once. -#}
{% test unique(model, column_name) %}
    {{ duplicate_keys(model, [column_name], where=column_name ~ ' is not null') }}
{% endtest %}
