{#- Numeric lab results with a time and a name, each with its admission's place in the record: the rows the
    value, first-abnormal and trend questions draw from. -#}
with labs as (

    select * from {{ ref('mart_packet_labs') }}

),

admissions as (

    select * from {{ ref('int_qa__admissions') }}

),

final as (

    select
        labs.subject_id,
        labs.hadm_id,
        admissions.admission_index,
        admissions.n_admissions,
        labs.eid,
        labs.t_rel_min,
        labs.itemid,
        labs.label,
        labs.valuenum,
        labs.valueuom,
        labs.flag
    from labs
    inner join admissions on labs.hadm_id = admissions.hadm_id
    where
        labs.valuenum is not null
        and labs.label is not null
        and labs.t_rel_min is not null

)

select * from final
