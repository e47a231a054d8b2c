with emar_details as (

    select * from {{ ref('stg_mimic_hosp__emar_detail') }}

),

emar as (

    select * from {{ ref('int_emar__ranked') }}

),

{#-
    seq and keep_priority both order a detail row by its parent (parent_seq, resp. parent_keep_priority, each
    unique within the admission) and then by its ordinals. So each equals the number of details of the
    parents before its own (a running sum over the narrow parent rows) plus its rank among its siblings
    (seq - details_before_in_seq): the wide detail rows go through one window pass (seq) instead of two.
-#}
detail_counts as (

    select
        emar_id,
        subject_id,
        count(*) as n_details
    from emar_details
    group by emar_id, subject_id

),

parents as (

    select
        emar.emar_id,
        emar.subject_id,
        emar.hadm_id,
        emar.eid as parent_eid,
        emar.t_rel_min as parent_t_rel_min,
        emar.seq as parent_seq,
        emar.is_kept as parent_is_kept,
        coalesce(sum(detail_counts.n_details) over (
            partition by emar.hadm_id
            order by emar.seq
            rows between unbounded preceding and 1 preceding
        ), 0) as details_before_in_seq,
        coalesce(sum(detail_counts.n_details) over (
            partition by emar.hadm_id
            order by emar.keep_priority
            rows between unbounded preceding and 1 preceding
        ), 0) as details_before_in_keep_priority
    from emar
    inner join detail_counts
        on emar.emar_id = detail_counts.emar_id
        and emar.subject_id = detail_counts.subject_id

),

of_kept_and_dropped_parents as (

    select
        emar_details.*,
        {{ dbt.safe_cast(dbt.split_part('parent_field_ordinal', "'.'", 1), api.Column.translate_type('integer')) }} as ordinal_major,
        {{ dbt.safe_cast(dbt.split_part('parent_field_ordinal', "'.'", 2), api.Column.translate_type('integer')) }} as ordinal_minor,
        parents.hadm_id,
        parents.parent_eid,
        parents.parent_t_rel_min,
        parents.parent_seq,
        parents.parent_is_kept,
        parents.details_before_in_seq,
        parents.details_before_in_keep_priority
    from emar_details
    inner join parents
        on emar_details.emar_id = parents.emar_id
        and emar_details.subject_id = parents.subject_id

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by parent_seq,
                     ordinal_major nulls first,
                     ordinal_minor nulls first,
                     parent_field_ordinal nulls first
        ) as seq
    from of_kept_and_dropped_parents

),

ranked as (

    select
        *,
        cast(details_before_in_keep_priority + (seq - details_before_in_seq) as bigint) as keep_priority
    from ordered

),

final as (

    select
        subject_id,
        hadm_id,
        {{ evidence_id('EMD', ['hadm_id', 'seq']) }} as eid,
        parent_t_rel_min as t_rel_min,
        seq,
        keep_priority,
        parent_is_kept and {{ within_cap('emar_details') }} as is_kept,
        parent_eid,
        emar_id,
        emar_seq,
        parent_field_ordinal,
        administration_type,
        pharmacy_id,
        barcode_type,
        reason_for_no_barcode,
        complete_dose_not_given,
        dose_due,
        dose_due_unit,
        dose_given,
        dose_given_unit,
        will_remainder_of_dose_be_given,
        product_amount_given,
        product_unit,
        product_code,
        product_description,
        product_description_other,
        prior_infusion_rate,
        infusion_rate,
        infusion_rate_adjustment,
        infusion_rate_adjustment_amount,
        infusion_rate_unit,
        route,
        infusion_complete,
        completion_interval,
        new_iv_bag_hung,
        continued_infusion_in_other_location,
        restart_interval,
        side,
        site,
        non_formulary_visual_verification
    from ranked

)

select * from final
