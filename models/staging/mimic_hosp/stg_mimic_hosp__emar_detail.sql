{#-
    emar_detail has no hadm_id: each row carries its eMAR row's (null where that has none), and the table is
    written in hadm_id order, so that each batch of mart_packet_emar_details reads its own admissions' segment
    (and the rows without one) instead of every detail row: at MIMIC-IV's size that scan was half of each batch's
    time (docs/benchmarks.md). One write, as for every staging table; the sort is the price.
-#}
with source as (

    select * from {{ source('mimic_hosp', 'emar_detail') }}

),

emar as (

    select
        emar_id,
        subject_id,
        hadm_id
    from {{ ref('stg_mimic_hosp__emar') }}

),

renamed as (

    select
        source.subject_id,
        emar.hadm_id,
        source.emar_id,
        source.emar_seq,
        source.parent_field_ordinal,
        source.administration_type,
        source.pharmacy_id,
        source.barcode_type,
        source.reason_for_no_barcode,
        source.complete_dose_not_given,
        source.dose_due,
        source.dose_due_unit,
        source.dose_given,
        source.dose_given_unit,
        source.will_remainder_of_dose_be_given,
        source.product_amount_given,
        source.product_unit,
        source.product_code,
        source.product_description,
        source.product_description_other,
        source.prior_infusion_rate,
        source.infusion_rate,
        source.infusion_rate_adjustment,
        source.infusion_rate_adjustment_amount,
        source.infusion_rate_unit,
        source.route,
        source.infusion_complete,
        source.completion_interval,
        source.new_iv_bag_hung,
        source.continued_infusion_in_other_location,
        source.restart_interval,
        source.side,
        source.site,
        source.non_formulary_visual_verification
    {#- emar_id is unique in stg_mimic_hosp__emar (a data test there): one row per file row. #}
    from source
    left join emar
        on source.emar_id = emar.emar_id
        and source.subject_id = emar.subject_id

)

select * from renamed
order by hadm_id nulls last
