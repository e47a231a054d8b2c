{{ packet_section_mart('labs') }}
