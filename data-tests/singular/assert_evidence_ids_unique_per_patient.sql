-- Reference bug: evidence ids restarted per admission. Every id of a patient (all sections of all admissions,
-- unlinked notes, patient and admission ids) occurs once. Each source of ids writes its own `PREFIX#` (the
-- prefixes differ, checked when this compiles), so ids of two prefixes never collide, and each section mart's ids
-- are unique (its `unique` eid test, which tests/test_sections.py requires of every section). What is left are the
-- ids written outside the section marts: an unlinked note's id against its section's ids and the other unlinked
-- notes', and the patient and admission ids. A section no unlinked note shares a prefix with is never scanned.
{%- set prefixes = packet_sections() | map(attribute='evidence_prefix') | list + ['PT', 'ADM'] %}
{%- if prefixes | unique | list | length != prefixes | length %}
    {{ exceptions.raise_compiler_error("evidence prefixes must differ, found " ~ prefixes | join(", ")) }}
{%- endif %}

with unlinked_note_ids as (

    select subject_id, eid from {{ ref('mart_notes_unlinked') }}

),
{% for section in packet_sections() %}
{{ section.name }}_ids_of_unlinked_notes as (

    select
        unlinked_note_ids.subject_id,
        unlinked_note_ids.eid,
        'an unlinked note''s id is also a {{ section.name }} id' as problem
    from {{ ref('mart_packet_' ~ section.name) }} as section_rows
    inner join unlinked_note_ids
        on section_rows.eid = unlinked_note_ids.eid
        and section_rows.subject_id = unlinked_note_ids.subject_id
    where starts_with(unlinked_note_ids.eid, '{{ section.evidence_prefix }}#')

),
{% endfor %}
header_ids as (

    select subject_id, patient_eid as eid from {{ ref('mart_admissions') }} group by subject_id, patient_eid
    union all
    select subject_id, admission_eid as eid from {{ ref('mart_admissions') }}
    union all
    select * from unlinked_note_ids

),

header_repeated as (

    select
        subject_id,
        eid,
        count(*) || ' times' as problem
    from header_ids
    group by subject_id, eid
    having count(*) > 1

),

final as (

    {%- for section in packet_sections() %}
    select * from {{ section.name }}_ids_of_unlinked_notes
    union all
    {%- endfor %}
    select * from header_repeated

)

select * from final
