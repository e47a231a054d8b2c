{#- Generic data tests for the CDM case marts. -#}

{#- Distinct values of the column that still hold a leakage term from the `cdm_leakage_terms` seed. -#}
{% test cdm_no_leakage(model, column_name) %}
    select checked.{{ column_name }}
    from (select distinct {{ column_name }} from {{ model }}) as checked
    where {{ cdm_regexp_matches_ci('checked.' ~ column_name, cdm_leakage_pattern()) }}
{% endtest %}

{#- Rows whose column contains a discharge-exam marker from the `cdm_exam_cut_markers` seed. -#}
{% test cdm_no_discharge_exam_marker(model, column_name) %}
    {%- set pattern = cdm_keywords_pattern('cdm_exam_cut_markers', 'marker', "kind = 'discharge'", word_end=false) %}
    select checked.{{ column_name }}
    from {{ model }} as checked
    where {{ cdm_regexp_matches_ci('checked.' ~ column_name, pattern) }}
{% endtest %}

{#- Rows for which `expression` (SQL over the model's columns) is not true. -#}
{% test cdm_expression_true(model, expression) %}
    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)
{% endtest %}

{#- Rows whose keyword holds characters other than lower-case letters, digits, spaces and / & : . ' -
    (the models build regexes from keywords and escape only dots). -#}
{% test cdm_plain_keyword(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where not {{ cdm_regexp_matches_ci(column_name, "'^[a-z0-9 /&:.''-]+$'") }}
        or {{ column_name }} <> lower({{ column_name }})
{% endtest %}
