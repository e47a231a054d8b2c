with labevents as (

    select * from {{ ref('int_labevents__linked') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

lab_items as (

    select * from {{ ref('stg_mimic_hosp__d_labitems') }}

),

of_admissions as (

    select
        labevents.*,
        lab_items.label,
        lab_items.fluid,
        lab_items.category,
        admissions.admittime
    from labevents
    inner join admissions
        on labevents.hadm_id = admissions.hadm_id
        and labevents.subject_id = admissions.subject_id
    left join lab_items
        on labevents.itemid = lab_items.itemid

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by charttime nulls last,
                     storetime nulls last,
                     labevent_id nulls last
        ) as seq
    from of_admissions

),

tiered as (

    select
        *,
        case
            when {{ is_first_or_last('itemid') }} then 1
            when flag is not null then 2
            else 3
        end as keep_tier
    from ordered

),

ranked as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by keep_tier, seq
        ) as keep_priority
    from tiered

),

final as (

    select
        subject_id,
        hadm_id,
        {{ evidence_id('LAB', ['labevent_id']) }} as eid,
        {{ minutes_since('admittime', "coalesce(charttime, storetime)") }} as t_rel_min,
        seq,
        keep_priority,
        {{ within_cap('labs') }} as is_kept,
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
    from ranked

)

select * from final
