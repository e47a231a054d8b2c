{#- Each admission's number in its patient's record, as the questions and the rendered contexts name it. -#}
with admissions as (

    select * from {{ ref('int_qa__admissions') }}

),

final as (

    select
        subject_id,
        hadm_id,
        cast(admission_index as integer) as admission_index,
        cast(n_admissions as integer) as n_admissions
    from admissions

)

select * from final
order by subject_id, admission_index
