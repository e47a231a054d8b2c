{#-
    A table written one batch of admissions at a time (the batches of int_admission_batches, `hadm_id` ranges of
    var('admissions_per_batch') admissions each, appended in hadm_id order). The model's SQL keeps only the
    current batch's rows with `in_admission_batch('hadm_id')`; DuckDB pushes that range through the windows
    (partitioned by hadm_id), joins and unions down to the table scans, so a section's window passes and its
    sorted write hold one batch, not the whole section, and memory and spill stay flat as the input grows. A
    model sorted by (hadm_id, ...) stays sorted as a whole. Built beside the old table and swapped in, as
    dbt-duckdb's table materialization does (contracts included). The batch variables belong to this node's
    DuckDB cursor, which dbt closes when the node ends, so a batch that fails leaves no range set for the next node.
-#}
{% materialization admission_batched, adapter='duckdb' %}

    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {%- set backup_type = 'table' if existing_relation is none else existing_relation.type -%}
    {%- set backup_relation = make_backup_relation(target_relation, backup_type) -%}
    {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
    {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set batches = run_query(
        'select hadm_id_from, hadm_id_to from ' ~ ref('int_admission_batches') ~ ' order by batch'
    ).rows -%}
    {#- No admissions: one pass over nothing, with no batch set. -#}
    {%- set batches = batches if batches | length > 0 else [none] -%}
    {%- for batch in batches %}
        {% call statement('main' if loop.last else 'batch_' ~ loop.index) -%}
            {{ set_admission_batch(batch) }}
            {% if loop.first -%}
                {{ create_table_as(False, intermediate_relation, sql) }}
            {%- else -%}
                insert into {{ intermediate_relation }} by name (
                    {{ sql }}
                );
            {%- endif %}
        {%- endcall %}
    {%- endfor %}
    {% call statement('reset_admission_batch') -%}
        {{ set_admission_batch(none) }}
    {%- endcall %}

    {% if existing_relation is not none %}
        {{ adapter.rename_relation(existing_relation, backup_relation) }}
    {% endif %}
    {{ adapter.rename_relation(intermediate_relation, target_relation) }}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do persist_docs(target_relation, model) %}
    {{ adapter.commit() }}
    {{ drop_relation_if_exists(backup_relation) }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}
