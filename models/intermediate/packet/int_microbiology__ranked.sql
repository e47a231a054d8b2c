with microbiologyevents as (

    select * from {{ ref('int_microbiology__linked') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

of_admissions as (

    select
        microbiologyevents.*,
        admissions.admittime
    from microbiologyevents
    inner join admissions
        on microbiologyevents.hadm_id = admissions.hadm_id
        and microbiologyevents.subject_id = admissions.subject_id

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                coalesce(charttime, chartdate) nulls last,
                storetime nulls last,
                microevent_id nulls last
        ) as seq
    from of_admissions

),

tiered as (

    select
        *,
        case
            when {{ is_first_or_last('test_itemid') }} then 1
            when org_itemid is not null or org_name is not null then 2
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
        {{ section_evidence_id('microbiology', ['microevent_id']) }} as eid,
        {{ minutes_since('admittime', "coalesce(charttime, chartdate, storetime, storedate)") }} as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('microbiology') }} as is_kept,
        microevent_id,
        micro_specimen_id,
        chartdate,
        charttime,
        spec_itemid,
        spec_type_desc,
        test_seq,
        storedate,
        storetime,
        test_itemid,
        test_name,
        org_itemid,
        org_name,
        isolate_num,
        quantity,
        ab_itemid,
        ab_name,
        dilution_text,
        dilution_comparison,
        dilution_value,
        interpretation,
        comments,
        link_method
    from ranked

)

select * from final
