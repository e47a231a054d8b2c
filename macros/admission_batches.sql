{#-
    Batched writes of the large per-admission tables (the admission_batched materialization,
    macros/materializations/admission_batched.sql).
-#}

{#- A model's configuration as a batched write: the materialization, and the batches it reads declared as a
    dependency (so int_admission_batches is built first). -#}
{% macro written_in_admission_batches() -%}
    {{ config(materialized='admission_batched') }}
    {%- set _batches = ref('int_admission_batches') -%}
{%- endmacro %}

{#-
    True for the rows of the admissions in the batch being written; outside a batched write (no batch set), true
    for every row, so the model reads the same when compiled, shown, unit-tested or built as a plain table.
-#}
{% macro in_admission_batch(column) -%}
    {{ column }} between coalesce(getvariable('admission_batch_from'), {{ min_bigint() }})
        and coalesce(getvariable('admission_batch_to'), {{ max_bigint() }})
{%- endmacro %}

{#- The DuckDB statements that select one batch (a row of int_admission_batches), or none (every row). -#}
{% macro set_admission_batch(batch) -%}
    {%- if batch is none -%}
        reset variable admission_batch_from;
        reset variable admission_batch_to;
    {%- else -%}
        set variable admission_batch_from = {{ batch[0] }};
        set variable admission_batch_to = {{ batch[1] }};
    {%- endif -%}
{%- endmacro %}

{% macro min_bigint() %}-9223372036854775808{% endmacro %}

{% macro max_bigint() %}9223372036854775807{% endmacro %}
