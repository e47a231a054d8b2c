{#-
    The packet sections, in `generator.packet.SECTIONS` order: the one place that says which ranked model feeds
    a section, which var caps it, which section is its parent, and which columns its rows carry (besides the
    common `eid`, `t_rel_min`, `seq`, `keep_priority`). mart_packets, mart_packets_dropped, mart_build_info and
    the section-count tests loop over it.
-#}
{% macro packet_sections() -%}
    {{ return([
        {'name': 'transfers', 'model': 'int_transfers__ranked', 'cap_var': 'cap_transfers', 'parent': none,
         'columns': ['transfer_id', 'eventtype', 'careunit', 'intime', 'outtime']},
        {'name': 'services', 'model': 'int_services__ranked', 'cap_var': 'cap_services', 'parent': none,
         'columns': ['transfertime', 'prev_service', 'curr_service']},
        {'name': 'icustays', 'model': 'int_icustays__ranked', 'cap_var': 'cap_icustays', 'parent': none,
         'columns': ['stay_id', 'first_careunit', 'last_careunit', 'intime', 'outtime', 'los', 't_out_min']},
        {'name': 'discharge_notes', 'model': 'int_discharge__ranked', 'cap_var': 'cap_discharge_notes',
         'parent': none,
         'columns': ['note_id', 'note_type', 'note_seq', 'charttime', 'storetime', 'text']},
        {'name': 'discharge_note_details', 'model': 'int_discharge_detail__ranked',
         'cap_var': 'cap_discharge_note_details', 'parent': 'discharge_notes',
         'columns': ['parent_eid', 'note_id', 'field_name', 'field_value', 'field_ordinal']},
        {'name': 'radiology_notes', 'model': 'int_radiology__ranked', 'cap_var': 'cap_radiology', 'parent': none,
         'columns': ['note_id', 'note_type', 'note_seq', 'charttime', 'storetime', 'text', 'link_method']},
        {'name': 'radiology_note_details', 'model': 'int_radiology_detail__ranked',
         'cap_var': 'cap_radiology_note_details', 'parent': 'radiology_notes',
         'columns': ['parent_eid', 'note_id', 'field_name', 'field_value', 'field_ordinal']},
        {'name': 'labs', 'model': 'int_labevents__ranked', 'cap_var': 'cap_labs', 'parent': none,
         'columns': ['labevent_id', 'specimen_id', 'itemid', 'label', 'fluid', 'category', 'charttime',
                     'storetime', 'value', 'valuenum', 'valueuom', 'ref_range_lower', 'ref_range_upper', 'flag',
                     'priority', 'comments', 'link_method']},
        {'name': 'microbiology', 'model': 'int_microbiology__ranked', 'cap_var': 'cap_microbiology',
         'parent': none,
         'columns': ['microevent_id', 'micro_specimen_id', 'chartdate', 'charttime', 'spec_itemid',
                     'spec_type_desc', 'test_seq', 'storedate', 'storetime', 'test_itemid', 'test_name',
                     'org_itemid', 'org_name', 'isolate_num', 'quantity', 'ab_itemid', 'ab_name', 'dilution_text',
                     'dilution_comparison', 'dilution_value', 'interpretation', 'comments', 'link_method']},
        {'name': 'poe', 'model': 'int_poe__ranked', 'cap_var': 'cap_poe', 'parent': none,
         'columns': ['poe_id', 'poe_seq', 'ordertime', 'order_type', 'order_subtype', 'transaction_type',
                     'discontinue_of_poe_id', 'discontinued_by_poe_id', 'order_status']},
        {'name': 'poe_details', 'model': 'int_poe_detail__ranked', 'cap_var': 'cap_poe_detail', 'parent': 'poe',
         'columns': ['parent_eid', 'poe_id', 'poe_seq', 'field_name', 'field_value']},
        {'name': 'prescriptions', 'model': 'int_prescriptions__ranked', 'cap_var': 'cap_prescriptions',
         'parent': none,
         'columns': ['pharmacy_id', 'poe_id', 'poe_seq', 'starttime', 'stoptime', 'drug_type', 'drug',
                     'formulary_drug_cd', 'gsn', 'ndc', 'prod_strength', 'form_rx', 'dose_val_rx', 'dose_unit_rx',
                     'form_val_disp', 'form_unit_disp', 'doses_per_24_hrs', 'route']},
        {'name': 'pharmacy', 'model': 'int_pharmacy__ranked', 'cap_var': 'cap_pharmacy', 'parent': none,
         'columns': ['pharmacy_id', 'poe_id', 'starttime', 'stoptime', 'medication', 'proc_type', 'status',
                     'entertime', 'verifiedtime', 'route', 'frequency', 'disp_sched', 'infusion_type',
                     'sliding_scale', 'lockout_interval', 'basal_rate', 'one_hr_max', 'doses_per_24_hrs',
                     'duration', 'duration_interval', 'expiration_value', 'expiration_unit', 'expirationdate',
                     'dispensation', 'fill_quantity']},
        {'name': 'emar', 'model': 'int_emar__ranked', 'cap_var': 'cap_emar', 'parent': none,
         'columns': ['emar_id', 'emar_seq', 'poe_id', 'pharmacy_id', 'charttime', 'medication', 'event_txt',
                     'scheduletime', 'storetime', 'link_method']},
        {'name': 'emar_details', 'model': 'int_emar_detail__ranked', 'cap_var': 'cap_emar_detail',
         'parent': 'emar',
         'columns': ['parent_eid', 'emar_id', 'emar_seq', 'parent_field_ordinal', 'administration_type',
                     'pharmacy_id', 'barcode_type', 'reason_for_no_barcode', 'complete_dose_not_given', 'dose_due',
                     'dose_due_unit', 'dose_given', 'dose_given_unit', 'will_remainder_of_dose_be_given',
                     'product_amount_given', 'product_unit', 'product_code', 'product_description',
                     'product_description_other', 'prior_infusion_rate', 'infusion_rate',
                     'infusion_rate_adjustment', 'infusion_rate_adjustment_amount', 'infusion_rate_unit', 'route',
                     'infusion_complete', 'completion_interval', 'new_iv_bag_hung',
                     'continued_infusion_in_other_location', 'restart_interval', 'side', 'site',
                     'non_formulary_visual_verification']},
        {'name': 'diagnoses', 'model': 'int_diagnoses__ranked', 'cap_var': 'cap_diagnoses', 'parent': none,
         'columns': ['seq_num', 'icd_code', 'icd_version', 'long_title']},
        {'name': 'procedures', 'model': 'int_procedures__ranked', 'cap_var': 'cap_procedures', 'parent': none,
         'columns': ['seq_num', 'chartdate', 'icd_code', 'icd_version', 'long_title']},
        {'name': 'drg_codes', 'model': 'int_drgcodes__ranked', 'cap_var': 'cap_drg', 'parent': none,
         'columns': ['drg_type', 'drg_code', 'description', 'drg_severity', 'drg_mortality']},
    ]) }}
{%- endmacro %}

{#- One section's entry of `packet_sections()`. -#}
{% macro packet_section(name) -%}
    {%- for section in packet_sections() if section.name == name -%}
        {{ return(section) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("unknown packet section " ~ name) }}
{%- endmacro %}
