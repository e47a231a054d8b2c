with drg_codes as (

    select * from {{ ref('stg_mimic_hosp__drgcodes') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

of_admissions as (

    select
        drg_codes.*,
        admissions.admittime
    from drg_codes
    inner join admissions
        on drg_codes.hadm_id = admissions.hadm_id
        and drg_codes.subject_id = admissions.subject_id

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                drg_type nulls last,
                drg_code nulls last,
                description nulls last,
                drg_severity nulls last,
                drg_mortality nulls last
        ) as seq
    from of_admissions

),

ranked as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by seq
        ) as keep_priority
    from ordered

),

final as (

    select
        subject_id,
        hadm_id,
        {{ section_evidence_id('drg_codes', ['hadm_id', 'seq']) }} as eid,
        cast(null as {{ dbt.type_bigint() }}) as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('drg_codes') }} as is_kept,
        drg_type,
        drg_code,
        description,
        drg_severity,
        drg_mortality
    from ranked

)

select * from final
