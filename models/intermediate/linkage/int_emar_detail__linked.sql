{#-
    The detail rows carry no hadm_id: they belong to the admission of their eMAR row. Linked once, against the
    eMAR section mart (every linked eMAR row, however linked), and written in hadm_id order, so that a batch of
    mart_packet_emar_details reads only its own admissions' segment instead of every detail row.
-#}
with details as (

    select * from {{ ref('stg_mimic_hosp__emar_detail') }}

),

emar as (

    select
        emar_id,
        subject_id,
        hadm_id
    from {{ ref('mart_packet_emar') }}

),

linked as (

    select
        emar.hadm_id,
        details.subject_id,
        details.emar_id,
        details.emar_seq,
        details.parent_field_ordinal,
        details.administration_type,
        details.pharmacy_id,
        details.barcode_type,
        details.reason_for_no_barcode,
        details.complete_dose_not_given,
        details.dose_due,
        details.dose_due_unit,
        details.dose_given,
        details.dose_given_unit,
        details.will_remainder_of_dose_be_given,
        details.product_amount_given,
        details.product_unit,
        details.product_code,
        details.product_description,
        details.product_description_other,
        details.prior_infusion_rate,
        details.infusion_rate,
        details.infusion_rate_adjustment,
        details.infusion_rate_adjustment_amount,
        details.infusion_rate_unit,
        details.route,
        details.infusion_complete,
        details.completion_interval,
        details.new_iv_bag_hung,
        details.continued_infusion_in_other_location,
        details.restart_interval,
        details.side,
        details.site,
        details.non_formulary_visual_verification
    from details
    inner join emar
        on details.emar_id = emar.emar_id
        and details.subject_id = emar.subject_id

)

select * from linked
order by hadm_id
