{{ packet_section_mart('discharge_note_details') }}
