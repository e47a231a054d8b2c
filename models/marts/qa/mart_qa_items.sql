{#- The question items of every family, one row each: the question, its typed gold answer (computed here, no
    model involved), the tolerance a numeric answer gets (the analyte's in seed qa_numeric_tolerances, else
    `qa_relative_tolerance` of the gold), the evidence rows (the eids the conversations cite)
    with the value each must state, and where the evidence lies in the record. -#}
{%- set families = [
    'int_qa__value_at_time',
    'int_qa__first_abnormal',
    'int_qa__trend',
    'int_qa__medication_change',
    'int_qa__organism_count',
    'int_qa__first_growth',
    'int_qa__event_order',
    'int_qa__carried_over',
    'int_qa__absent_lab',
] -%}

with tolerances as (

    select * from {{ ref('qa_numeric_tolerances') }}

),

{% for family in families %}
{{ family }} as (

    select * from {{ ref(family) }}

),

{% endfor -%}

{#- Materialised: DuckDB 1.5 sorting the union of the nine families straight away ran out of memory at its limit
    instead of spilling (the full-size build with an 8 GB budget; at 54k admissions below 640 MB), where sorting
    the materialised union spills (docs/benchmarks.md). -#}
items as materialized (
    {% for family in families %}
    select * from {{ family }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        'QA#' || items.family || '-' || items.subject_id || '-' || left(md5(items.item_key), 12) as item_id,
        items.subject_id,
        items.family,
        items.question,
        items.answer_type,
        items.analyte,
        items.expected,
        items.gold_text,
        items.gold_number,
        items.gold_unit,
        case
            when items.answer_type = 'number' and items.gold_number is not null
                then coalesce(
                    tolerances.absolute_tolerance,
                    {{ var('qa_relative_tolerance') }} * abs(items.gold_number)
                )
            when items.answer_type in ('count', 'admission') then 0
        end as tolerance,
        items.options,
        items.evidence_eids,
        items.evidence_values,
        cast(items.evidence_admission_indexes as integer[]) as evidence_admission_indexes,
        cast(items.asked_after_index as integer) as asked_after_index,
        cast(
            items.asked_after_index - coalesce(list_min(items.evidence_admission_indexes), items.asked_after_index)
            as integer
        ) as admission_distance,
        cast(items.sample_rank as integer) as sample_rank
    from items
    left join tolerances on lower(items.analyte) = lower(tolerances.analyte)

)

select * from final
order by subject_id, family, sample_rank
