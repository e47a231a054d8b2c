{%- set micro_columns = [
    'microevent_id', 'subject_id', 'micro_specimen_id', 'order_provider_id', 'chartdate', 'charttime',
    'spec_itemid', 'spec_type_desc', 'test_seq', 'storedate', 'storetime', 'test_itemid', 'test_name',
    'org_itemid', 'org_name', 'isolate_num', 'quantity', 'ab_itemid', 'ab_name', 'dilution_text',
    'dilution_comparison', 'dilution_value', 'interpretation', 'comments',
] -%}

with microbiologyevents as (

    select * from {{ ref('stg_mimic_hosp__microbiologyevents') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

by_hadm_id as (

    select
        {%- for column in micro_columns %}
        microbiologyevents.{{ column }},
        {%- endfor %}
        microbiologyevents.hadm_id,
        microbiologyevents.hadm_id as source_hadm_id,
        'hadm_id' as link_method
    from microbiologyevents
    inner join admissions
        on microbiologyevents.hadm_id = admissions.hadm_id
        and microbiologyevents.subject_id = admissions.subject_id

),

orphans as (

    select * from microbiologyevents
    where hadm_id is null

),

orphan_links as (

    {{ window_links('orphans', 'microevent_id', 'coalesce(orphans.charttime, orphans.chartdate)', 'admissions') }}

),

by_time_window as (

    select
        {%- for column in micro_columns %}
        orphans.{{ column }},
        {%- endfor %}
        orphan_links.hadm_id,
        orphans.hadm_id as source_hadm_id,
        'time_window' as link_method
    from orphans
    inner join orphan_links
        on orphans.microevent_id = orphan_links.microevent_id

),

final as (

    select * from by_hadm_id
    union all
    select * from by_time_window

)

select * from final
