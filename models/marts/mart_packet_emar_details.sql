{{ packet_section_mart('emar_details') }}
