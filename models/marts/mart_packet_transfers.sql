{{ packet_section_mart('transfers') }}
