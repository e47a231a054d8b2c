{{ packet_section_mart('poe_details') }}
