{#- Drug and organism names a said-check and a scorer treat as one (lower case). -#}
with synonyms as (

    select * from {{ ref('qa_synonyms') }}

),

final as (

    select
        lower(term) as term,
        lower(canonical) as canonical
    from synonyms

)

select * from final
