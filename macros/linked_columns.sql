{#- The source columns that a linked section keeps, shared by its linked view and its orphans_linked table. -#}

{% macro lab_linked_columns() -%}
    {{ return([
        'labevent_id', 'subject_id', 'specimen_id', 'itemid', 'order_provider_id', 'charttime', 'storetime',
        'value', 'valuenum', 'valueuom', 'ref_range_lower', 'ref_range_upper', 'flag', 'priority', 'comments',
    ]) }}
{%- endmacro %}

{% macro emar_linked_columns() -%}
    {{ return([
        'emar_id', 'subject_id', 'emar_seq', 'poe_id', 'pharmacy_id', 'enter_provider_id', 'charttime',
        'medication', 'event_txt', 'scheduletime', 'storetime',
    ]) }}
{%- endmacro %}
