{{ packet_section_mart('pharmacy') }}
