-- Reference bug: evidence ids restarted per admission. Every id of a patient (all sections of all admissions,
-- unlinked notes, patient and admission ids) occurs once.
with
{%- for section in packet_sections() %}
{{ section.name }}_ids as (

    select subject_id, eid from {{ ref('mart_packet_' ~ section.name) }}

),
{%- endfor %}

unlinked_note_ids as (

    select subject_id, eid from {{ ref('mart_notes_unlinked') }}

),

header_ids as (

    select subject_id, patient_eid as eid from {{ ref('mart_packets') }} group by subject_id, patient_eid
    union all
    select subject_id, admission_eid as eid from {{ ref('mart_packets') }}

),

every_id as (

    {%- for section in packet_sections() %}
    select * from {{ section.name }}_ids
    union all
    {%- endfor %}
    select * from unlinked_note_ids
    union all
    select * from header_ids

),

final as (

    select
        subject_id,
        eid,
        count(*) as n_rows
    from every_id
    group by subject_id, eid
    having count(*) > 1

)

select * from final
