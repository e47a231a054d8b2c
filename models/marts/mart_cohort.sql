with admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

per_subject as (

    select
        subject_id,
        count(*) as n_admissions,
        sum(case when has_discharge_note then 1 else 0 end) as n_with_discharge_note,
        min(admittime) as first_admittime,
        max(admittime) as last_admittime
    from admissions
    group by subject_id

),

final as (

    select
        subject_id,
        n_admissions,
        n_with_discharge_note,
        row_number() over (order by n_admissions desc, subject_id asc) as cohort_rank,
        first_admittime,
        last_admittime
    from per_subject

)

select * from final
order by cohort_rank
