{#-
    Ground truth: what was done for each case, from two sources. `code`: the coded procedures with lower-cased
    titles, de-duplicated by title (first occurrence kept), tagged with a treatment category by the longest
    matching ICD code prefix (`cdm_procedure_categories`). `note`: the items of the discharge note's "Major
    Surgical or Invasive Procedure" list (`int_cdm__note_procedures`), de-duplicated by title, tagged by
    keyword. The category is null when nothing matches.
-#}
with procedures as (

    select * from {{ ref('stg_mimic_hosp__procedures_icd') }}

),

dictionary as (

    select * from {{ ref('stg_mimic_hosp__d_icd_procedures') }}

),

categories as (

    select * from {{ ref('cdm_procedure_categories') }}

),

note_procedures as (

    select * from {{ ref('int_cdm__note_procedures') }}

),

cases as (

    select hadm_id, discharge_note_id from {{ ref('mart_cdm_cases') }}

),

titled as (

    select
        procedures.hadm_id,
        procedures.seq_num,
        procedures.chartdate,
        procedures.icd_code,
        procedures.icd_version,
        lower(dictionary.long_title) as title
    from procedures
    inner join cases on cases.hadm_id = procedures.hadm_id
    inner join dictionary
        on dictionary.icd_code = procedures.icd_code
        and dictionary.icd_version = procedures.icd_version

),

first_by_title as (

    select
        *,
        row_number() over (partition by hadm_id, title order by seq_num, chartdate, icd_code) as title_rank
    from titled

),

categorized as (

    select
        first_by_title.*,
        categories.category,
        row_number() over (
            partition by first_by_title.hadm_id, first_by_title.icd_code, first_by_title.icd_version
            order by {{ dbt.length('categories.icd_code_prefix') }} desc
        ) as prefix_rank
    from first_by_title
    left join categories
        on categories.icd_version = first_by_title.icd_version
        and first_by_title.icd_code like categories.icd_code_prefix || '%'
    where first_by_title.title_rank = 1

),

coded as (

    select
        hadm_id,
        seq_num,
        title,
        icd_code,
        icd_version,
        category,
        chartdate,
        'code' as source
    from categorized
    where prefix_rank = 1

),

from_note as (

    select
        cases.hadm_id,
        note_procedures.item_no as seq_num,
        note_procedures.title,
        cast(null as varchar) as icd_code,
        cast(null as integer) as icd_version,
        note_procedures.category,
        cast(null as date) as chartdate,
        'note' as source,
        row_number() over (partition by cases.hadm_id, note_procedures.title order by note_procedures.item_no)
            as title_rank
    from note_procedures
    inner join cases on cases.discharge_note_id = note_procedures.note_id

),

final as (

    select
        cast(hadm_id as bigint) as hadm_id,
        cast(seq_num as integer) as seq_num,
        cast(title as varchar) as title,
        cast(icd_code as varchar) as icd_code,
        cast(icd_version as integer) as icd_version,
        cast(category as varchar) as category,
        cast(chartdate as date) as chartdate,
        source = 'code' as is_coded,
        cast(source as varchar) as source
    from coded
    union all
    select
        cast(hadm_id as bigint) as hadm_id,
        cast(seq_num as integer) as seq_num,
        cast(title as varchar) as title,
        cast(icd_code as varchar) as icd_code,
        cast(icd_version as integer) as icd_version,
        cast(category as varchar) as category,
        cast(chartdate as date) as chartdate,
        false as is_coded,
        cast(source as varchar) as source
    from from_note
    where title_rank = 1

)

select * from final
