{#- The date of each candidate admission's first coded procedure; extended mode keeps events before it. -#}
with procedures as (

    select * from {{ ref('stg_mimic_hosp__procedures_icd') }}

),

candidates as (

    select distinct hadm_id from {{ ref('int_cdm__icd_candidates') }}

),

final as (

    select
        procedures.hadm_id,
        cast(min(procedures.chartdate) as timestamp) as first_procedure_at
    from procedures
    inner join candidates on candidates.hadm_id = procedures.hadm_id
    group by procedures.hadm_id

)

select * from final
