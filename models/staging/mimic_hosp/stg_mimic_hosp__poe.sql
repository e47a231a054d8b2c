with source as (

    select * from {{ source('mimic_hosp', 'poe') }}

),

renamed as (

    select
        poe_id,
        poe_seq,
        subject_id,
        hadm_id,
        ordertime,
        order_type,
        order_subtype,
        transaction_type,
        discontinue_of_poe_id,
        discontinued_by_poe_id,
        order_provider_id,
        order_status
    from source

)

select * from renamed
