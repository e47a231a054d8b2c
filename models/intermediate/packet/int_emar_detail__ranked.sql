with emar_details as (

    select * from {{ ref('stg_mimic_hosp__emar_detail') }}

),

emar as (

    select * from {{ ref('int_emar__ranked') }}

),

of_kept_and_dropped_parents as (

    select
        emar_details.*,
        {{ dbt.safe_cast(dbt.split_part('parent_field_ordinal', "'.'", 1), api.Column.translate_type('integer')) }} as ordinal_major,
        {{ dbt.safe_cast(dbt.split_part('parent_field_ordinal', "'.'", 2), api.Column.translate_type('integer')) }} as ordinal_minor,
        emar.hadm_id,
        emar.eid as parent_eid,
        emar.t_rel_min as parent_t_rel_min,
        emar.seq as parent_seq,
        emar.keep_priority as parent_keep_priority,
        emar.is_kept as parent_is_kept
    from emar_details
    inner join emar
        on emar_details.emar_id = emar.emar_id
        and emar_details.subject_id = emar.subject_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by parent_seq,
                     ordinal_major nulls first,
                     ordinal_minor nulls first,
                     parent_field_ordinal nulls first
        ) as seq,
        row_number() over (
            partition by hadm_id
            order by parent_keep_priority,
                     ordinal_major nulls first,
                     ordinal_minor nulls first,
                     parent_field_ordinal nulls first
        ) as keep_priority
    from of_kept_and_dropped_parents

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
