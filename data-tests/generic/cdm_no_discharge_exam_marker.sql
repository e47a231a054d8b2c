{#- Fails for each row whose column contains a discharge-exam marker from the `cdm_exam_cut_markers` seed. -#}
{% test cdm_no_discharge_exam_marker(model, column_name) %}
    {%- set pattern = cdm_keywords_pattern('cdm_exam_cut_markers', 'marker', "kind = 'discharge'", word_end=false) %}
    select checked.{{ column_name }}
    from {{ model }} as checked
    where {{ cdm_regexp_matches_ci('checked.' ~ column_name, pattern) }}
{% endtest %}
