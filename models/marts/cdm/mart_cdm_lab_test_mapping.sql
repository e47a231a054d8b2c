{#-
    The lab test mapping as CDMv1 builds it (its `lab_test_mapping`), one row per (mapping row, member test):
    a free-text request resolves to the first row (in `row_order`) whose label it matches, and stands for
    that row's members (CDMv1's `corresponding_ids`). The rows, in CDMv1's order:
    1. label: each lab test with events, members = its closed links (`int_cdm__lab_item_links`);
    2. panel: `cdm_lab_panels` (CBC, BMP, LFTs, TSH, ...), members as seeded;
    3./4. abbreviation: for each label or panel "Long name (ABBR)" the short and then the long name, with the
       source's direct links (panels: members);
    5. total: "Total X" for a test labelled "X, Total" or "X Total", the test alone;
    6. microbiology: each microbiology test name, with the tests of that name;
    then, deduplicated by (itemid, label, fluid) keeping the first, and
    7. synonym: our own request names (`cdm_lab_synonyms`), tried only when CDMv1's matching finds nothing.
-#}
with items as (

    select * from {{ ref('int_cdm__lab_items') }}

),

links as (

    select * from {{ ref('int_cdm__lab_item_links') }}

),

panels as (

    select * from {{ ref('cdm_lab_panels') }}

),

synonyms as (

    select * from {{ ref('cdm_lab_synonyms') }}

),

micro_events as (

    select * from {{ ref('stg_mimic_hosp__microbiologyevents') }}

),

label_rows as (

    select
        1 as section,
        0 as source_section,
        itemid as source_order,
        'label' as kind,
        label,
        fluid,
        itemid,
        category,
        event_count,
        rubric_category,
        itemid as source_key
    from items

),

panel_rows as (

    select distinct
        2 as section,
        0 as source_section,
        panel_order as source_order,
        'panel' as kind,
        panel as label,
        cast(null as varchar) as fluid,
        cast(null as integer) as itemid,
        cast(null as varchar) as category,
        cast(null as bigint) as event_count,
        cast(null as varchar) as rubric_category,
        panel_order as source_key
    from panels

),

parenthesized as (

    select
        section as source_section,
        source_order,
        source_key,
        fluid,
        label,
        {{ cdm_regexp_replace_ci('label', "'^[^(]*\\((.*)\\).*$'", "'\\1'") }} as inside
    from label_rows
    where label like '%(%)%'
    union all
    select
        section,
        source_order,
        source_key,
        fluid,
        label,
        {{ cdm_regexp_replace_ci('label', "'^[^(]*\\((.*)\\).*$'", "'\\1'") }}
    from panel_rows
    where label like '%(%)%'

),

split_names as (

    select
        *,
        trim(inside) as short_name,
        replace(replace(trim(replace(label, '(' || inside || ')', '')), '  ', ' '), ' ,', ',') as long_name
    from parenthesized

),

abbreviation_rows as (

    select
        section,
        source_section,
        source_order,
        'abbreviation' as kind,
        name as label,
        fluid,
        cast(null as integer) as itemid,
        cast(null as varchar) as category,
        cast(null as bigint) as event_count,
        cast(null as varchar) as rubric_category,
        source_key
    from (
        select 3 as section, source_section, source_order, short_name as name, fluid, source_key
        from split_names
        where short_name <> long_name
        union all
        select 4 as section, source_section, source_order, long_name as name, fluid, source_key
        from split_names
        where short_name <> long_name
    ) as names

),

total_rows as (

    select
        5 as section,
        0 as source_section,
        itemid as source_order,
        'total' as kind,
        'Total ' || replace(replace(label, ', Total', ''), ' Total', '') as label,
        cast(null as varchar) as fluid,
        cast(null as integer) as itemid,
        cast(null as varchar) as category,
        cast(null as bigint) as event_count,
        cast(null as varchar) as rubric_category,
        itemid as source_key
    from items
    where label like '%Total%' and label not like 'Total%'

),

cdmv1_lab_rows as (

    select * from label_rows
    union all
    select * from panel_rows
    union all
    select * from abbreviation_rows
    union all
    select * from total_rows

),

first_of_duplicates as (

    select
        *,
        row_number() over (
            partition by itemid, label, fluid order by section, source_section, source_order
        ) as duplicate_rank
    from cdmv1_lab_rows

),

micro_tests as (

    select test_itemid as itemid, min(test_name) as label, min(microevent_id) as first_event
    from micro_events
    group by test_itemid

),

micro_rows as (

    select
        6 as section,
        0 as source_section,
        first_event as source_order,
        'microbiology' as kind,
        label,
        cast(null as varchar) as fluid,
        itemid,
        cast(null as varchar) as category,
        cast(null as bigint) as event_count,
        cast(null as varchar) as rubric_category,
        itemid as source_key
    from micro_tests

),

synonym_rows as (

    select
        7 as section,
        0 as source_section,
        row_number() over (order by synonyms.term) as source_order,
        'synonym' as kind,
        lower(synonyms.term) as label,
        items.fluid,
        cast(null as integer) as itemid,
        cast(null as varchar) as category,
        cast(null as bigint) as event_count,
        cast(null as varchar) as rubric_category,
        items.itemid as source_key
    from synonyms
    inner join items
        on lower(items.original_label) = lower(synonyms.label)
        and lower(items.fluid) = lower(synonyms.fluid)

),

mapping_rows as (

    select
        section,
        source_section,
        source_order,
        kind,
        label,
        fluid,
        itemid,
        category,
        event_count,
        rubric_category,
        source_key
    from first_of_duplicates
    where duplicate_rank = 1
    union all
    select * from micro_rows
    union all
    select * from synonym_rows

),

ordered as (

    select
        *,
        row_number() over (order by section, source_section, source_order, label, fluid) as row_order
    from mapping_rows

),

members as (

    -- label rows: closed links; abbreviations of labels: direct links; synonyms: the test's closed links
    select ordered.row_order, links.linked_itemid as member_itemid, links.linked_itemid as member_order
    from ordered
    inner join links on links.itemid = ordered.source_key
    where ordered.kind in ('label', 'synonym')
        or (ordered.kind = 'abbreviation' and ordered.source_section = 1 and links.is_direct)
    union all
    select ordered.row_order, panels.itemid, panels.member_order
    from ordered
    inner join panels on panels.panel_order = ordered.source_key
    where ordered.kind = 'panel' or (ordered.kind = 'abbreviation' and ordered.source_section = 2)
    union all
    select ordered.row_order, ordered.source_key, ordered.source_key  -- noqa: AL08
    from ordered
    where ordered.kind = 'total'
    union all
    select ordered.row_order, micro_tests.itemid, micro_tests.itemid  -- noqa: AL08
    from ordered
    inner join micro_tests on micro_tests.label = ordered.label
    where ordered.kind = 'microbiology'

),

final as (

    select
        cast(ordered.row_order as integer) as row_order,
        cast(ordered.kind as varchar) as kind,
        cast(ordered.label as varchar) as label,
        cast(ordered.fluid as varchar) as fluid,
        cast(ordered.itemid as integer) as itemid,
        cast(ordered.category as varchar) as category,
        cast(ordered.event_count as bigint) as event_count,
        cast(ordered.rubric_category as varchar) as rubric_category,
        cast(members.member_itemid as integer) as member_itemid,
        cast(members.member_order as integer) as member_order
    from ordered
    inner join members on members.row_order = ordered.row_order

)

select * from final
