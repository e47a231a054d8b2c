-- Reference bug: evidence ids restarted per admission. Every id of a patient (all sections of all admissions,
-- unlinked notes, patient and admission ids) occurs once. Each source of ids writes its own `PREFIX#` (the
-- prefixes differ, checked when this compiles), so ids of two prefixes never collide and each prefix's ids are
-- grouped apart: one section's ids at a time, never every id of the warehouse at once.
{%- set prefixes = packet_sections() | map(attribute='evidence_prefix') | list + ['PT', 'ADM'] %}
{%- if prefixes | unique | list | length != prefixes | length %}
    {{ exceptions.raise_compiler_error("evidence prefixes must differ, found " ~ prefixes | join(", ")) }}
{%- endif %}
{%- set prefix_list %}{% for prefix in prefixes %}'{{ prefix }}#'{{ ", " if not loop.last }}{% endfor %}{% endset %}

with
{%- for section in packet_sections() %}
{{ section.name }}_repeated as (

    select
        subject_id,
        eid,
        count(*) as n_rows
    from (
        select subject_id, eid from {{ ref('mart_packet_' ~ section.name) }}
        union all
        select subject_id, eid from {{ ref('mart_notes_unlinked') }}
        where starts_with(eid, '{{ section.evidence_prefix }}#')
    )
    group by subject_id, eid
    having count(*) > 1

),
{%- endfor %}

other_unlinked_note_ids as (

    select subject_id, eid from {{ ref('mart_notes_unlinked') }}
    where split_part(eid, '#', 1) || '#' not in ({{ prefix_list }})

),

header_ids as (

    select subject_id, patient_eid as eid from {{ ref('mart_packets') }} group by subject_id, patient_eid
    union all
    select subject_id, admission_eid as eid from {{ ref('mart_packets') }}
    union all
    select * from other_unlinked_note_ids

),

header_repeated as (

    select
        subject_id,
        eid,
        count(*) as n_rows
    from header_ids
    group by subject_id, eid
    having count(*) > 1

),

final as (

    {%- for section in packet_sections() %}
    select * from {{ section.name }}_repeated
    union all
    {%- endfor %}
    select * from header_repeated

)

select * from final
