{#- Fails for each keyword holding characters other than lower-case letters, digits, spaces and / & : . ' -
    (the models build regexes from keywords and escape only dots). -#}
{% test cdm_plain_keyword(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where not {{ cdm_regexp_matches_ci(column_name, "'^[a-z0-9 /&:.''-]+$'") }}
        or {{ column_name }} <> lower({{ column_name }})
{% endtest %}
