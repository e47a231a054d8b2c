{#- Fails for each distinct value of the column that still holds a leakage term from the `cdm_leakage_terms` seed. -#}
{% test cdm_no_leakage(model, column_name) %}
    select checked.{{ column_name }}
    from (select distinct {{ column_name }} from {{ model }}) as checked
    where {{ cdm_regexp_matches_ci('checked.' ~ column_name, cdm_leakage_pattern()) }}
{% endtest %}
