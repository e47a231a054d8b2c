{#- Cultures that grew an organism, one row per (admission, specimen time, specimen type, organism): the first
    microbiology row of each, with its admission's place in the record. The count and carried-over questions
    draw from it. -#}
with microbiology as (

    select * from {{ ref('mart_packet_microbiology') }}

),

admissions as (

    select * from {{ ref('int_qa__admissions') }}

),

final as (

    select
        microbiology.subject_id,
        microbiology.hadm_id,
        admissions.admission_index,
        admissions.n_admissions,
        microbiology.eid,
        microbiology.t_rel_min,
        microbiology.spec_type_desc,
        microbiology.org_name
    from microbiology
    inner join admissions on microbiology.hadm_id = admissions.hadm_id
    where microbiology.org_name is not null and microbiology.t_rel_min is not null
    qualify row_number() over (
            partition by
                microbiology.hadm_id, microbiology.t_rel_min, microbiology.spec_type_desc, microbiology.org_name
            order by microbiology.eid
        ) = 1

)

select * from final
