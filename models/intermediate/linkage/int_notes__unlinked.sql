{%- set note_columns = ['note_id', 'subject_id', 'note_type', 'note_seq', 'charttime', 'storetime', 'text'] -%}

with discharge as (

    select * from {{ ref('stg_mimic_note__discharge') }}

),

radiology as (

    select * from {{ ref('stg_mimic_note__radiology') }}

),

admissions as (

    select * from {{ ref('int_admissions__enriched') }}

),

notes as (

    select
        'discharge' as note_kind,
        {%- for column in note_columns %}
        {{ column }},
        {%- endfor %}
        hadm_id
    from discharge
    union all
    select
        'radiology' as note_kind,
        {%- for column in note_columns %}
        {{ column }},
        {%- endfor %}
        hadm_id
    from radiology

),

unlinked as (

    select notes.*
    from notes
    left join admissions
        on notes.hadm_id = admissions.hadm_id
        and notes.subject_id = admissions.subject_id
    where admissions.hadm_id is null

),

{# Only notes with an empty hadm_id are attached by window; a note naming an unknown admission stays unattached. #}
orphans as (

    select * from unlinked
    where hadm_id is null

),

orphan_links as (

    {{ window_links('orphans', 'note_id', 'orphans.charttime', 'admissions') }}

),

{# Bounded by the subject's admissions: one candidate per admission of the note's own patient. #}
distances as (

    select
        unlinked.note_id,
        admissions.hadm_id,
        case
            when unlinked.charttime < admissions.window_start
                then {{ dbt.datediff('unlinked.charttime', 'admissions.window_start', 'second') }}
            when unlinked.charttime > admissions.window_end
                then {{ dbt.datediff('admissions.window_end', 'unlinked.charttime', 'second') }}
            else 0
        end as distance_seconds,
        admissions.admittime
    from unlinked
    inner join admissions
        on unlinked.subject_id = admissions.subject_id

),

nearest as (

    select
        note_id,
        hadm_id,
        distance_seconds,
        row_number() over (
            partition by note_id
            order by distance_seconds asc, admittime desc, hadm_id desc
        ) as choice
    from distances

),

final as (

    select
        unlinked.note_kind,
        {%- for column in note_columns %}
        unlinked.{{ column }},
        {%- endfor %}
        orphan_links.hadm_id,
        unlinked.hadm_id as source_hadm_id,
        case when orphan_links.hadm_id is not null then 'time_window' end as link_method,
        nearest.hadm_id as nearest_hadm_id,
        cast(floor(nearest.distance_seconds / 60.0) as {{ dbt.type_bigint() }}) as minutes_to_nearest_admission
    from unlinked
    left join orphan_links
        on unlinked.note_id = orphan_links.note_id
    left join nearest
        on unlinked.note_id = nearest.note_id
        and nearest.choice = 1

)

select * from final
