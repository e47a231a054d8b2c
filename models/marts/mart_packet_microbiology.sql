{{ packet_section_mart('microbiology') }}
