{#- One row: the regex that matches any leakage term of any pathology as a whole word, longest terms first. -#}
with terms as (

    select * from {{ ref('cdm_leakage_terms') }}

),

final as (

    select
        '{{ cdm_word_boundary() }}(' || {{ dbt.listagg(
            cdm_keyword_regex('term'), "'|'", 'order by ' ~ dbt.length('term') ~ ' desc, term'
        ) }} || '){{ cdm_word_boundary() }}' as pattern
    from terms

)

select * from final
