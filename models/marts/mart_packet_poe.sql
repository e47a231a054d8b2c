{{ packet_section_mart('poe') }}
