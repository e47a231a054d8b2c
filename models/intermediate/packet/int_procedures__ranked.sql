with procedures as (

    select * from {{ ref('stg_mimic_hosp__procedures_icd') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

icd_procedures as (

    select * from {{ ref('stg_mimic_hosp__d_icd_procedures') }}

),

of_admissions as (

    select
        procedures.*,
        icd_procedures.long_title,
        admissions.admittime
    from procedures
    inner join admissions
        on procedures.hadm_id = admissions.hadm_id
        and procedures.subject_id = admissions.subject_id
    left join icd_procedures
        on procedures.icd_code = icd_procedures.icd_code
        and procedures.icd_version = icd_procedures.icd_version

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                chartdate nulls last,
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
            order by seq_num nulls last, seq
        ) as keep_priority
    from ordered

),

final as (

    select
        subject_id,
        hadm_id,
        {{ section_evidence_id('procedures', ['hadm_id', 'seq']) }} as eid,
        {{ minutes_since('admittime', "cast(chartdate as timestamp)") }} as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('procedures') }} as is_kept,
        seq_num,
        chartdate,
        icd_code,
        icd_version,
        long_title
    from ranked

)

select * from final
