{{ packet_section_mart('services') }}
