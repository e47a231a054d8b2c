{#-
    Which lab tests stand for one another, as CDMv1 links them: a test is linked to every test of the same
    d_labitems label (any fluid) and, through `cdm_lab_equivalences`, to the same-label tests of its
    equivalent (WBC Count = White Blood Cells, whole-blood = serum electrolytes, the bilirubin fractions).
    `is_direct` marks these links; the rest close them transitively (all tests reachable through links).
    Equivalences naming a test without events are skipped.
-#}
with recursive items as (

    select * from {{ ref('int_cdm__lab_items') }}

),

equivalences as (

    select * from {{ ref('cdm_lab_equivalences') }}

),

same_label as (

    select one.itemid, other.itemid as linked_itemid
    from items as one
    inner join items as other on other.original_label = one.original_label

),

equivalent_pairs as (

    select equivalences.itemid, equivalences.same_as_itemid as other_itemid
    from equivalences
    inner join items as one on one.itemid = equivalences.itemid
    inner join items as other on other.itemid = equivalences.same_as_itemid
    union
    select equivalences.same_as_itemid as itemid, equivalences.itemid as other_itemid
    from equivalences
    inner join items as one on one.itemid = equivalences.itemid
    inner join items as other on other.itemid = equivalences.same_as_itemid

),

direct_links as (

    select itemid, linked_itemid from same_label
    union
    select equivalent_pairs.itemid, same_label.linked_itemid
    from equivalent_pairs
    inner join same_label on same_label.itemid = equivalent_pairs.other_itemid

),

reachable (itemid, linked_itemid) as (

    select itemid, linked_itemid from direct_links
    union
    select reachable.itemid, direct_links.linked_itemid
    from reachable
    inner join direct_links on direct_links.itemid = reachable.linked_itemid

),

final as (

    select
        cast(reachable.itemid as integer) as itemid,
        cast(reachable.linked_itemid as integer) as linked_itemid,
        direct_links.itemid is not null as is_direct
    from reachable
    left join direct_links
        on direct_links.itemid = reachable.itemid
        and direct_links.linked_itemid = reachable.linked_itemid

)

select * from final
