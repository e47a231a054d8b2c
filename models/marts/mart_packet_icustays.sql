{{ packet_section_mart('icustays') }}
