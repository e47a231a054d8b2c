{{ packet_section_mart('diagnoses') }}
