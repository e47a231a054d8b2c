with diagnoses as (

    select * from {{ ref('stg_mimic_hosp__diagnoses_icd') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

icd_diagnoses as (

    select * from {{ ref('stg_mimic_hosp__d_icd_diagnoses') }}

),

of_admissions as (

    select
        diagnoses.*,
        icd_diagnoses.long_title,
        admissions.admittime
    from diagnoses
    inner join admissions
        on diagnoses.hadm_id = admissions.hadm_id
        and diagnoses.subject_id = admissions.subject_id
    left join icd_diagnoses
        on diagnoses.icd_code = icd_diagnoses.icd_code
        and diagnoses.icd_version = icd_diagnoses.icd_version

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                seq_num nulls last,
                icd_code nulls last,
                icd_version nulls last
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
        {{ section_evidence_id('diagnoses', ['hadm_id', 'seq']) }} as eid,
        cast(null as {{ dbt.type_bigint() }}) as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('diagnoses') }} as is_kept,
        seq_num,
        icd_code,
        icd_version,
        long_title
    from ranked

)

select * from final
