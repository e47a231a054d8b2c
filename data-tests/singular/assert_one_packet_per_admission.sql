-- Every admission of admissions.csv.gz has exactly one packet, and no packet lacks an admission.
with admissions as (

    select hadm_id from {{ ref('stg_mimic_hosp__admissions') }}

),

packets as (

    select hadm_id from {{ ref('mart_packets') }}

),

missing as (

    select admissions.hadm_id, 'no packet' as problem
    from admissions
    left join packets on admissions.hadm_id = packets.hadm_id
    where packets.hadm_id is null

),

extra as (

    select packets.hadm_id, 'packet without admission' as problem
    from packets
    left join admissions on packets.hadm_id = admissions.hadm_id
    where admissions.hadm_id is null

)

select * from missing
union all
select * from extra
