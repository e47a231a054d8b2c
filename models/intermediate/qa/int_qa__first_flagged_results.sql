{#- Each admission's first flagged result of each test, every result of the test at that first time kept (so a
    tie stays visible): the rows from which the first-abnormal question takes a record's first flagged result.
    Per admission, so written one batch of admissions at a time (admission_batched): the window pass holds one
    batch of labs, and the question's own pass over the whole record reads these few rows, not every lab. -#}
{{ written_in_admission_batches() }}

with lab_results as (

    select * from {{ ref('int_qa__lab_results') }}
    where {{ in_admission_batch('hadm_id') }}

),

flagged as (

    select *
    from lab_results
    where flag is not null

),

final as (

    select
        subject_id,
        hadm_id,
        admission_index,
        n_admissions,
        eid,
        t_rel_min,
        label,
        valuenum,
        valueuom
    from flagged
    qualify rank() over (partition by hadm_id, label order by t_rel_min) = 1

)

select * from final
