{{ packet_section_mart('prescriptions') }}
