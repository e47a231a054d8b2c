{{ packet_section_mart('emar') }}
