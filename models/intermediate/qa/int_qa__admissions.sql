{#- Each admission's place in its patient's record (1 = first by admittime, then hadm_id), and the record's
    length: the admission numbers the questions and the rendered contexts use. -#}
with admissions as (

    select * from {{ ref('mart_admissions') }}

),

final as (

    select
        subject_id,
        hadm_id,
        row_number() over (partition by subject_id order by admittime, hadm_id) as admission_index,
        count(*) over (partition by subject_id) as n_admissions
    from admissions

)

select * from final
