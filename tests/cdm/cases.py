"""Hand-made CDM cases and lab mappings for tests that need no warehouse."""

from generator.cdm.case import (
    CdmBenchmark,
    DetailedLabResult,
    GroundTruth,
    HadmCase,
    LabTestTerm,
    MicrobiologyEvent,
    RadiologyReport,
    Treatment,
)

MAPPING = [
    LabTestTerm(
        term="white blood cells", term_kind="label", itemid=51301, label="White Blood Cells", category="inflammation"
    ),
    LabTestTerm(term="wbc", term_kind="synonym", itemid=51301, label="White Blood Cells", category="inflammation"),
    LabTestTerm(term="wbc", term_kind="label", itemid=51516, label="WBC", fluid="Urine", category="general"),
    LabTestTerm(term="lipase", term_kind="label", itemid=50956, label="Lipase", category="pancreas"),
    LabTestTerm(term="hemoglobin", term_kind="label", itemid=51222, label="Hemoglobin", category="general"),
    LabTestTerm(term="cbc", term_kind="panel", itemid=51301, label="White Blood Cells", category="inflammation"),
    LabTestTerm(term="cbc", term_kind="panel", itemid=51222, label="Hemoglobin", category="general"),
    LabTestTerm(term="bmp", term_kind="panel", itemid=50983, label="Sodium", category="seriousness"),
    LabTestTerm(term="sodium", term_kind="label", itemid=50983, label="Sodium", category="seriousness"),
    LabTestTerm(
        term="alanine aminotransferase",
        term_kind="label",
        itemid=50861,
        label="Alanine Aminotransferase (ALT)",
        category="liver",
    ),
    LabTestTerm(term="alt", term_kind="label", itemid=50861, label="Alanine Aminotransferase (ALT)", category="liver"),
    LabTestTerm(term="electrolytes", term_kind="panel", itemid=50983, label="Sodium", category="seriousness"),
]


def appendicitis_case(hadm_id: int = 101) -> HadmCase:
    return HadmCase(
        hadm_id=hadm_id,
        pathology="appendicitis",
        patient_history="32M with periumbilical pain migrating to the RLQ.",
        physical_exam_text="Abd: tender RLQ, positive Rovsing sign.",
        lab_results=[
            DetailedLabResult(
                itemid=51301,
                test_name="White Blood Cells",
                fluid="Blood",
                value="14.2 K/uL (abnormal)",
                ref_range_lower=4.0,
                ref_range_upper=10.0,
                sequence_num=1,
            ),
            DetailedLabResult(itemid=50956, test_name="Lipase", fluid="Blood", value="30 IU/L", sequence_num=1),
        ],
        microbiology_events=[
            MicrobiologyEvent(
                test_itemid=90201, test_name="BLOOD CULTURE", spec_type_desc="BLOOD CULTURE", comments="No growth."
            ),
        ],
        radiology_reports=[
            RadiologyReport(
                note_id="1-RR-1",
                exam_name="US ABD LIMIT",
                region="Abdomen",
                modality="Ultrasound",
                text="FINDINGS: Noncompressible tubular structure in the RLQ.",
            ),
            RadiologyReport(
                note_id="1-RR-2",
                exam_name="CT ABD & PELVIS",
                region="Abdomen",
                modality="CT",
                text="FINDINGS: Dilated ___ with fat stranding.",
            ),
        ],
        ground_truth=GroundTruth(
            primary_diagnosis=["Acute appendicitis"],
            treatments=[
                Treatment(title="laparoscopic appendectomy", icd_code="4701", is_coded=True, category="appendectomy")
            ],
        ),
    )


def benchmark(*cases: HadmCase, data_origin: str = "synthetic") -> CdmBenchmark:
    return CdmBenchmark(data_origin=data_origin, lab_test_mapping=MAPPING, cases=list(cases))
