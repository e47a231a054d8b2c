{#- `H+hh:mm` from whole minutes since admission (`H-hh:mm` before it): the label the conversations and the
    generator's `relative_label` use. -#}
{% macro relative_time_label(minutes) -%}
    case when {{ minutes }} < 0 then 'H-' else 'H+' end
    || lpad(cast(abs({{ minutes }}) // 60 as varchar), 2, '0')
    || ':'
    || lpad(cast(abs({{ minutes }}) % 60 as varchar), 2, '0')
{%- endmacro %}

{#- A row's place in its patient's seeded sample: rank 1 first. Rows of a lower `priority` (an SQL expression,
    e.g. unflagged results after flagged ones) come first, then the hash of the seed and the row's key (never
    random()), so the same seed draws the same items whatever else the warehouse holds. -#}
{% macro qa_sample_rank(partition, key, priority='0') -%}
    row_number() over (
        partition by {{ partition }}
        order by {{ priority }}, hash('{{ var("qa_seed") }}|' || {{ key }}), {{ key }}
    )
{%- endmacro %}
