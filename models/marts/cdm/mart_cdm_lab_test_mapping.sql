{#-
    How a free-text lab request resolves to itemids: one row per (term, itemid). The tests are those seen in
    the case labs and those the seeds name (so a request for a seeded test that no case has still maps, and
    scores, as the anchor's mapping does). Terms are lower-case: every label (also without its "(ABBR)" part,
    the abbreviation alone, and "Bilirubin, Total" as "total bilirubin"), the synonyms and the panels of the
    seeds. `category` is the scoring category of the test (seeded).
-#}
with lab_items as (

    select * from {{ ref('stg_mimic_hosp__d_labitems') }}

),

case_labs as (

    select distinct itemid from {{ ref('mart_cdm_labs') }}

),

tests as (

    select * from {{ ref('cdm_lab_tests') }}

),

synonyms as (

    select * from {{ ref('cdm_lab_synonyms') }}

),

panels as (

    select * from {{ ref('cdm_lab_panels') }}

),

seeded_tests as (

    select label, fluid from tests
    union
    select label, fluid from synonyms
    union
    select label, fluid from panels

),

seen_items as (

    select lab_items.itemid, lab_items.label, lab_items.fluid
    from lab_items
    where lab_items.itemid in (select case_labs.itemid from case_labs)
        or exists (
            select 1
            from seeded_tests
            where lower(seeded_tests.label) = lower(lab_items.label)
                and lower(seeded_tests.fluid) = lower(lab_items.fluid)
        )

),

categorized_items as (

    select seen_items.*, tests.category
    from seen_items
    left join tests
        on lower(tests.label) = lower(seen_items.label)
        and lower(tests.fluid) = lower(seen_items.fluid)

),

label_terms as (

    select lower(trim(label)) as term, 'label' as term_kind, itemid from categorized_items
    union
    select
        lower(trim({{ cdm_regexp_replace_ci('label', "'\\([^)]*\\)'", "''") }})) as term,
        'label' as term_kind,
        itemid
    from categorized_items
    where label like '%(%)%'
    union
    select
        lower(trim({{ cdm_regexp_replace_ci('label', "'^.*\\(([^)]*)\\).*$'", "'\\1'") }})) as term,
        'label' as term_kind,
        itemid
    from categorized_items
    where label like '%(%)%'
    union
    select
        lower(trim({{ dbt.split_part('label', "', '", 2) }}) || ' ' || trim({{ dbt.split_part('label', "', '", 1) }}))
            as term,
        'label' as term_kind,
        itemid
    from categorized_items
    where label like '%, %'

),

synonym_terms as (

    select lower(trim(synonyms.term)) as term, 'synonym' as term_kind, categorized_items.itemid
    from synonyms
    inner join categorized_items
        on lower(categorized_items.label) = lower(synonyms.label)
        and lower(categorized_items.fluid) = lower(synonyms.fluid)

),

panel_terms as (

    select lower(trim(panels.panel)) as term, 'panel' as term_kind, categorized_items.itemid
    from panels
    inner join categorized_items
        on lower(categorized_items.label) = lower(panels.label)
        and lower(categorized_items.fluid) = lower(panels.fluid)

),

all_terms as (

    select * from label_terms
    union
    select * from synonym_terms
    union
    select * from panel_terms

),

final as (

    select distinct
        cast(all_terms.term as varchar) as term,
        cast(all_terms.term_kind as varchar) as term_kind,
        cast(all_terms.itemid as integer) as itemid,
        cast(categorized_items.label as varchar) as label,
        cast(categorized_items.fluid as varchar) as fluid,
        cast(categorized_items.category as varchar) as category
    from all_terms
    inner join categorized_items on categorized_items.itemid = all_terms.itemid
    where all_terms.term <> ''

)

select * from final
