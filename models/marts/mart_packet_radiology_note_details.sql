{{ packet_section_mart('radiology_note_details') }}
