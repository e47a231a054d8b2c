{{ packet_section_mart('procedures') }}
