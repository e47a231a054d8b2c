{#- Imaging reports of eligible admissions with modality and region; exam name and text scrubbed. -#}
with radiology as (

    select * from {{ ref('int_cdm__radiology') }}

),

cases as (

    select hadm_id from {{ ref('mart_cdm_cases') }}

),

final as (

    select
        cast(radiology.hadm_id as bigint) as hadm_id,
        cast(radiology.note_id as varchar) as note_id,
        {{ cdm_scrub('radiology.exam_name') }} as exam_name,
        cast(radiology.modality as varchar) as modality,
        cast(radiology.region as varchar) as region,
        {{ cdm_scrub('radiology.report_text') }} as text,
        cast(radiology.charttime as timestamp) as charttime,
        cast(radiology.sequence_num as integer) as sequence_num,
        cast(
            case when radiology.pre_procedure_rank <= {{ var('cdm_extended_results_per_test') }}
                    then radiology.pre_procedure_rank
            end
            as integer
        ) as extended_rank,
        cast(radiology.link_method as varchar) as link_method
    from radiology
    inner join cases on cases.hadm_id = radiology.hadm_id

)

select * from final
