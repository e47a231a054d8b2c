with source as (

    select * from {{ source('mimic_hosp', 'microbiologyevents') }}

),

renamed as (

    select
        microevent_id,
        subject_id,
        hadm_id,
        micro_specimen_id,
        order_provider_id,
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
        comments
    from source

)

select * from renamed
