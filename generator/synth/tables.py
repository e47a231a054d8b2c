"""Column order of every table `mimicbench synth` writes, exactly as PhysioNet ships it."""

HOSP = {
    "admissions": "subject_id,hadm_id,admittime,dischtime,deathtime,admission_type,admit_provider_id,"
    "admission_location,discharge_location,insurance,language,marital_status,race,edregtime,edouttime,"
    "hospital_expire_flag",
    "patients": "subject_id,gender,anchor_age,anchor_year,anchor_year_group,dod",
    "transfers": "subject_id,hadm_id,transfer_id,eventtype,careunit,intime,outtime",
    "services": "subject_id,hadm_id,transfertime,prev_service,curr_service",
    "labevents": "labevent_id,subject_id,hadm_id,specimen_id,itemid,order_provider_id,charttime,storetime,value,"
    "valuenum,valueuom,ref_range_lower,ref_range_upper,flag,priority,comments",
    "d_labitems": "itemid,label,fluid,category",
    "microbiologyevents": "microevent_id,subject_id,hadm_id,micro_specimen_id,order_provider_id,chartdate,"
    "charttime,spec_itemid,spec_type_desc,test_seq,storedate,storetime,test_itemid,test_name,org_itemid,"
    "org_name,isolate_num,quantity,ab_itemid,ab_name,dilution_text,dilution_comparison,dilution_value,"
    "interpretation,comments",
    "poe": "poe_id,poe_seq,subject_id,hadm_id,ordertime,order_type,order_subtype,transaction_type,"
    "discontinue_of_poe_id,discontinued_by_poe_id,order_provider_id,order_status",
    "poe_detail": "poe_id,poe_seq,subject_id,field_name,field_value",
    "prescriptions": "subject_id,hadm_id,pharmacy_id,poe_id,poe_seq,order_provider_id,starttime,stoptime,"
    "drug_type,drug,formulary_drug_cd,gsn,ndc,prod_strength,form_rx,dose_val_rx,dose_unit_rx,form_val_disp,"
    "form_unit_disp,doses_per_24_hrs,route",
    "pharmacy": "subject_id,hadm_id,pharmacy_id,poe_id,starttime,stoptime,medication,proc_type,status,"
    "entertime,verifiedtime,route,frequency,disp_sched,infusion_type,sliding_scale,lockout_interval,"
    "basal_rate,one_hr_max,doses_per_24_hrs,duration,duration_interval,expiration_value,expiration_unit,"
    "expirationdate,dispensation,fill_quantity",
    "emar": "subject_id,hadm_id,emar_id,emar_seq,poe_id,pharmacy_id,enter_provider_id,charttime,medication,"
    "event_txt,scheduletime,storetime",
    "emar_detail": "subject_id,emar_id,emar_seq,parent_field_ordinal,administration_type,pharmacy_id,"
    "barcode_type,reason_for_no_barcode,complete_dose_not_given,dose_due,dose_due_unit,dose_given,"
    "dose_given_unit,will_remainder_of_dose_be_given,product_amount_given,product_unit,product_code,"
    "product_description,product_description_other,prior_infusion_rate,infusion_rate,"
    "infusion_rate_adjustment,infusion_rate_adjustment_amount,infusion_rate_unit,route,infusion_complete,"
    "completion_interval,new_iv_bag_hung,continued_infusion_in_other_location,restart_interval,side,site,"
    "non_formulary_visual_verification",
    "diagnoses_icd": "subject_id,hadm_id,seq_num,icd_code,icd_version",
    "d_icd_diagnoses": "icd_code,icd_version,long_title",
    "procedures_icd": "subject_id,hadm_id,seq_num,chartdate,icd_code,icd_version",
    "d_icd_procedures": "icd_code,icd_version,long_title",
    "drgcodes": "subject_id,hadm_id,drg_type,drg_code,description,drg_severity,drg_mortality",
}

ICU = {
    "icustays": "subject_id,hadm_id,stay_id,first_careunit,last_careunit,intime,outtime,los",
}

NOTE = {
    "discharge": "note_id,subject_id,hadm_id,note_type,note_seq,charttime,storetime,text",
    "discharge_detail": "note_id,subject_id,field_name,field_value,field_ordinal",
    "radiology": "note_id,subject_id,hadm_id,note_type,note_seq,charttime,storetime,text",
    "radiology_detail": "note_id,subject_id,field_name,field_value,field_ordinal",
}

MODULES = {"hosp": HOSP, "icu": ICU, "note": NOTE}
