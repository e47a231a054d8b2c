{#-
    The admissions in batches of var('admissions_per_batch'), by hadm_id: the ranges in which the
    admission_batched materialization writes the large per-admission tables.
-#}
with admissions as (

    select hadm_id from {{ ref('int_admissions__enriched') }}

),

numbered as (

    select
        hadm_id,
        (row_number() over (order by hadm_id) - 1) // {{ var('admissions_per_batch') | int }} + 1 as batch
    from admissions

),

final as (

    select
        batch,
        min(hadm_id) as hadm_id_from,
        max(hadm_id) as hadm_id_to,
        count(*) as admissions
    from numbered
    group by batch

)

select * from final
