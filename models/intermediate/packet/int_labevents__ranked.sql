{#-
    The ranking runs on narrow key columns only (labevent_id is unique and not null in
    int_labevents__linked); the wide lab columns are read once, after the three window passes, joined to their
    ranks. Both reads keep only the rows of the batch being written (admission_batched). One CTE read twice
    would be held whole, wide, while the mart sorts it (DuckDB materialises a view's CTEs that are read more
    than once), which made this mart's batches slower (docs/benchmarks.md).
-#}
with lab_keys as (

    select
        labevent_id,
        subject_id,
        hadm_id,
        itemid,
        charttime,
        storetime,
        flag
    from {{ ref('int_labevents__linked') }}
    where {{ in_admission_batch('hadm_id') }}

),

labevents as (

    select * from {{ ref('int_labevents__linked') }}
    where {{ in_admission_batch('hadm_id') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

lab_items as (

    select * from {{ ref('stg_mimic_hosp__d_labitems') }}

),

keys_of_admissions as (

    select
        lab_keys.labevent_id,
        lab_keys.hadm_id,
        lab_keys.itemid,
        lab_keys.charttime,
        lab_keys.storetime,
        lab_keys.flag is not null as is_flagged,
        admissions.admittime
    from lab_keys
    inner join admissions
        on lab_keys.hadm_id = admissions.hadm_id
        and lab_keys.subject_id = admissions.subject_id

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                charttime nulls last,
                storetime nulls last,
                labevent_id nulls last
        ) as seq
    from keys_of_admissions

),

tiered as (

    select
        *,
        case
            when {{ is_first_or_last('itemid') }} then 1
            when is_flagged then 2
            else 3
        end as keep_tier
    from ordered

),

ranked as (

    select
        labevent_id,
        admittime,
        seq,
        row_number() over (
            partition by hadm_id
            order by keep_tier, seq
        ) as keep_priority
    from tiered

),

of_admissions as (

    select
        labevents.*,
        lab_items.label,
        lab_items.fluid,
        lab_items.category,
        ranked.admittime,
        ranked.seq,
        ranked.keep_priority
    from labevents
    inner join ranked
        on labevents.labevent_id = ranked.labevent_id
    left join lab_items
        on labevents.itemid = lab_items.itemid

),

final as (

    select
        subject_id,
        hadm_id,
        {{ section_evidence_id('labs', ['labevent_id']) }} as eid,
        {{ minutes_since('admittime', "coalesce(charttime, storetime)") }} as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('labs') }} as is_kept,
        labevent_id,
        specimen_id,
        itemid,
        label,
        fluid,
        category,
        charttime,
        storetime,
        value,
        valuenum,
        valueuom,
        ref_range_lower,
        ref_range_upper,
        flag,
        priority,
        comments,
        link_method
    from of_admissions

)

select * from final
