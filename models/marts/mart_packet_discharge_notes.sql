{{ packet_section_mart('discharge_notes') }}
