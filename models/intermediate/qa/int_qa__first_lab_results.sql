{#- Each admission's first numeric result of each test, where no other result of that test shares its time: the
    one-row golds of the value and trend questions. Per admission, so written one batch of admissions at a time
    (admission_batched): the two window passes hold one batch of labs, not all of them. -#}
{{ written_in_admission_batches() }}

with lab_results as (

    select * from {{ ref('int_qa__lab_results') }}
    where {{ in_admission_batch('hadm_id') }}

),

first_of_admission as (

    select *
    from lab_results
    qualify rank() over (partition by hadm_id, label order by t_rel_min) = 1

),

final as (

    select
        subject_id,
        hadm_id,
        admission_index,
        n_admissions,
        eid,
        t_rel_min,
        itemid,
        label,
        valuenum,
        valueuom,
        flag
    from first_of_admission
    qualify count(*) over (partition by hadm_id, label) = 1

)

select * from final
