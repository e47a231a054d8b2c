{#- The diagnostic criteria the `diagnostic_criteria` tool answers with (`cdm_diagnostic_criteria`). -#}
with criteria as (

    select * from {{ ref('cdm_diagnostic_criteria') }}

),

final as (

    select
        cast(disease as varchar) as disease,
        cast(aliases as varchar) as aliases,
        cast(criteria as varchar) as criteria,
        cast(source as varchar) as source
    from criteria

)

select * from final
