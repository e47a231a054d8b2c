{#- 'synthetic' or 'credentialed': what `mimicbench build` verified and passes in MIMICBENCH_DATA_ORIGIN (an
    environment variable, not a var, so `--vars` cannot set it). Anything but 'synthetic' is credentialed. -#}
{% macro data_origin() -%}
    {{- 'synthetic' if env_var('MIMICBENCH_DATA_ORIGIN', 'credentialed') == 'synthetic' else 'credentialed' -}}
{%- endmacro %}
