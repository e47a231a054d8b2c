{{ packet_section_mart('drg_codes') }}
