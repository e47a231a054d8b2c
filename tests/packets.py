"""A realistic hand-made admission packet (data in the warehouse's shape) and answers about it."""

import copy
from datetime import datetime
from typing import Any

from generator.packet import Packet, Section

SUBJECT, HADM = 90000032, 81234567  # ids from the synthetic ranges (generator/origin.py)
DS_TEXT = """Name:  ___                     Unit No:   ___

Chief Complaint:
worsening abdominal distension and pain

History of Present Illness:
52 yo F with HCV cirrhosis c/b ascites presents with abdominal distension.

Brief Hospital Course:
Underwent diagnostic paracentesis, no SBP. Started on furosemide 40 mg daily.

Discharge Disposition:
Home
"""


def _section(rows: list[dict[str, Any]], seen: int | None = None, cap: int | None = None) -> Section:
    return Section(
        rows_seen=seen or len(rows), rows_kept=len(rows), truncated=bool(seen and seen > len(rows)), cap=cap, rows=rows
    )


def make_packet(data_origin: str = "synthetic", *, discharge_note: bool = True, hadm_id: int = HADM) -> Packet:
    sections = {
        "transfers": _section(
            [
                {
                    "eid": f"XFER#{hadm_id}-1",
                    "t_rel_min": -150,
                    "transfer_id": 139060235,
                    "eventtype": "ED",
                    "careunit": "Emergency Department",
                    "intime": "2180-05-06T19:17:00",
                    "outtime": "2180-05-06T23:30:00",
                },
                {
                    "eid": f"XFER#{hadm_id}-2",
                    "t_rel_min": 0,
                    "transfer_id": 139060236,
                    "eventtype": "admit",
                    "careunit": "Transplant",
                    "intime": "2180-05-06T23:30:00",
                    "outtime": None,
                },
            ]
        ),
        "services": _section(
            [
                {"eid": f"SVC#{hadm_id}-1", "t_rel_min": 0, "prev_service": None, "curr_service": "MED"},
            ]
        ),
        "discharge_notes": _section(
            [
                {
                    "eid": f"DS#{SUBJECT}-DS-21",
                    "t_rel_min": 2850,
                    "note_id": f"{SUBJECT}-DS-21",
                    "note_type": "DS",
                    "charttime": "2180-05-09T00:00:00",
                    "text": DS_TEXT,
                },
            ]
            if discharge_note
            else []
        ),
        "radiology_notes": _section(
            [
                {
                    "eid": f"RAD#{SUBJECT}-RR-14",
                    "t_rel_min": 95,
                    "note_id": f"{SUBJECT}-RR-14",
                    "note_type": "RR",
                    "charttime": "2180-05-07T01:05:00",
                    "text": "EXAMINATION: US ABDOMEN\n\nIMPRESSION:\n\nModerate ascites.",
                },
            ]
        ),
        "labs": _section(
            [
                {
                    "eid": "LAB#1001",
                    "t_rel_min": -120,
                    "labevent_id": 1001,
                    "itemid": 51222,
                    "label": "Hemoglobin",
                    "value": "9.8",
                    "valuenum": 9.8,
                    "valueuom": "g/dL",
                    "ref_range_lower": 12.0,
                    "ref_range_upper": 16.0,
                    "flag": "abnormal",
                    "charttime": "2180-05-06T21:47:00",
                    "storetime": "2180-05-06T22:30:00",
                    "link_method": "time_window",
                    "comments": None,
                },
                {
                    "eid": "LAB#1002",
                    "t_rel_min": 300,
                    "labevent_id": 1002,
                    "itemid": 50983,
                    "label": "Sodium",
                    "value": "128",
                    "valuenum": 128.0,
                    "valueuom": "mEq/L",
                    "ref_range_lower": 133.0,
                    "ref_range_upper": 145.0,
                    "flag": "abnormal",
                    "charttime": "2180-05-07T04:30:00",
                    "storetime": "2180-05-07T05:10:00",
                    "link_method": "hadm_id",
                    "comments": None,
                },
                {
                    "eid": "LAB#1003",
                    "t_rel_min": 300,
                    "labevent_id": 1003,
                    "itemid": 50971,
                    "label": "Potassium",
                    "value": "4.1",
                    "valuenum": 4.1,
                    "valueuom": "mEq/L",
                    "ref_range_lower": 3.3,
                    "ref_range_upper": 5.1,
                    "flag": None,
                    "charttime": "2180-05-07T04:30:00",
                    "storetime": "2180-05-07T05:10:00",
                    "link_method": "hadm_id",
                    "comments": None,
                },
            ],
            seen=5,
            cap=3,
        ),
        "prescriptions": _section(
            [
                {
                    "eid": f"RX#{hadm_id}-1",
                    "t_rel_min": 600,
                    "pharmacy_id": 48770010,
                    "drug": "Furosemide",
                    "dose_val_rx": "40",
                    "dose_unit_rx": "mg",
                    "route": "PO",
                    "doses_per_24_hrs": 1.0,
                    "starttime": "2180-05-07T09:30:00",
                    "stoptime": "2180-05-09T15:00:00",
                },
            ]
        ),
        "diagnoses": _section(
            [
                {
                    "eid": f"DX#{hadm_id}-1",
                    "t_rel_min": None,
                    "seq_num": 1,
                    "icd_code": "5715",
                    "icd_version": 9,
                    "long_title": "Cirrhosis of liver without mention of alcohol",
                },
            ]
        ),
    }
    return Packet(
        subject_id=SUBJECT,
        hadm_id=hadm_id,
        admittime=datetime(2180, 5, 6, 22, 23),
        dischtime=datetime(2180, 5, 9, 0, 0),
        data_origin=data_origin,
        has_discharge_note=discharge_note,
        patient={"eid": f"PT#{SUBJECT}", "gender": "F", "anchor_age": 52, "anchor_year": 2180, "dod": "2180-09-09"},
        admission={
            "eid": f"ADM#{hadm_id}",
            "admission_type": "URGENT",
            "admission_location": "TRANSFER FROM HOSPITAL",
            "discharge_location": "HOME",
            "insurance": "Other",
            "race": "WHITE",
            "edregtime": "2180-05-06T19:17:00",
            "hospital_expire_flag": 0,
        },
        sections=sections,
    )


def good_answer(hadm_id: int = HADM) -> dict[str, Any]:
    """A valid, fully grounded model answer for `make_packet()`."""
    return copy.deepcopy(
        {
            "conversation": [
                {
                    "turn_id": 1,
                    "speaker": "NURSE",
                    "relative_time": "H+00:05",
                    "text": "Welcome to the transplant unit.",
                    "evidence_eids": [f"ADM#{hadm_id}", f"XFER#{hadm_id}-2"],
                },
                {
                    "turn_id": 2,
                    "speaker": "PATIENT",
                    "relative_time": "H+00:06",
                    "text": "My belly has been swelling and it hurts.",
                    "evidence_eids": [f"DS#{SUBJECT}-DS-21"],
                },
                {
                    "turn_id": 3,
                    "speaker": "RESIDENT",
                    "relative_time": "H+05:10",
                    "text": "Your sodium is low at 128 mEq/L.",
                    "evidence_eids": ["LAB#1002"],
                },
                {
                    "turn_id": 4,
                    "speaker": "PATIENT",
                    "relative_time": "H+05:12",
                    "text": "Is that why I feel so tired?",
                    "evidence_eids": [],
                },
                {
                    "turn_id": 5,
                    "speaker": "ATTENDING",
                    "relative_time": "H+47:30",
                    "text": "You are going home on furosemide 40 mg daily.",
                    "evidence_eids": [f"RX#{hadm_id}-1", f"DS#{SUBJECT}-DS-21"],
                },
            ],
            "end_of_admission_summary": {
                "relative_discharge_time": "H+49:37",
                "one_paragraph_summary": "Cirrhosis with ascites; paracentesis without SBP; diuretics started.",
                "problem_list": [
                    {
                        "problem": "Ascites",
                        "status_at_discharge": "improving",
                        "supporting_eids": [f"DS#{SUBJECT}-DS-21"],
                    }
                ],
                "key_tests_and_results": [
                    {
                        "test": "Sodium",
                        "result": "128 mEq/L (low)",
                        "relative_time": "H+05:00",
                        "supporting_eids": ["LAB#1002"],
                    }
                ],
                "treatments_and_meds": [
                    {
                        "treatment_or_med": "Furosemide",
                        "details": "40 mg PO daily",
                        "supporting_eids": [f"RX#{hadm_id}-1"],
                    }
                ],
                "disposition": {"discharge_location": "Home", "supporting_eids": [f"ADM#{hadm_id}"]},
            },
        }
    )
