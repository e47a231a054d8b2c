{#-
    A view, on purpose: building every section's nested list for every admission at once holds all list
    aggregates in memory (DuckDB cannot spill them; 2,000 synthetic patients already exceeded 11 GiB), and a
    stored nested row costs ~50 ms to read back even when sorted (the scan decodes the lists of a whole vector).
    Filtered by hadm_id, or reading only the count columns, the view stays cheap; the generator reads the long,
    sorted mart_packet_<section> tables through `Warehouse.packet` instead. Views name their inputs without the
    database, so the file still works when renamed (mimicbench build swaps `<db>.building` in) or attached.
-#}
{{ config(materialized='view') }}
{%- set sections = packet_sections() -%}

with admissions as (

    select * from {{ ref('mart_admissions').include(database=false) }}

),
{% for section in sections %}
{{ section.name }} as (

    {{ nested_section(section, 'is_kept') }}

),
{% endfor %}
final as (

    select
        admissions.subject_id,
        admissions.hadm_id,
        admissions.patient_eid,
        admissions.admission_eid,
        admissions.admittime,
        admissions.dischtime,
        admissions.deathtime,
        admissions.admission_type,
        admissions.admit_provider_id,
        admissions.admission_location,
        admissions.discharge_location,
        admissions.insurance,
        admissions.language,
        admissions.marital_status,
        admissions.race,
        admissions.edregtime,
        admissions.edouttime,
        admissions.hospital_expire_flag,
        admissions.gender,
        admissions.anchor_age,
        admissions.anchor_year,
        admissions.anchor_year_group,
        admissions.age_at_admission,
        admissions.age_deidentified,
        admissions.has_discharge_note,
        admissions.n_discharge_notes,
        {%- for section in sections %}
        {{ coalesce_nested_rows(section.name ~ '.section_rows') }} as {{ section.name }},
        coalesce({{ section.name }}.rows_seen, 0) as {{ section.name }}_rows_seen,
        coalesce({{ section.name }}.rows_kept, 0) as {{ section.name }}_rows_kept,
        coalesce({{ section.name }}.rows_kept < {{ section.name }}.rows_seen, false) as {{ section.name }}_truncated
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from admissions
    {%- for section in sections %}
left join {{ section.name }}
    on admissions.hadm_id = {{ section.name }}.hadm_id
    {%- endfor %}

)

select * from final
