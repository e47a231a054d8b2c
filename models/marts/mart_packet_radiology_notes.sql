{{ packet_section_mart('radiology_notes') }}
