"""Hand-made CDM cases and lab mappings for tests that need no warehouse."""

from generator.cdm.case import (
    CdmBenchmark,
    DetailedLabResult,
    GroundTruth,
    HadmCase,
    LabMappingRow,
    MicrobiologyEvent,
    RadiologyReport,
    Treatment,
)


def _label(label, itemid, fluid="Blood", ids=None, rubric=None) -> LabMappingRow:
    return LabMappingRow(
        kind="label", label=label, fluid=fluid, itemid=itemid, corresponding_ids=ids or [itemid], rubric_category=rubric
    )


CBC = [51279, 51301, 51300, 51222, 51221, 51265, 51256]
# A small lab test mapping in CDMv1's shape and order: labels, panels, abbreviations, totals, microbiology,
# then our synonyms.
MAPPING = [
    _label("Sodium, Whole Blood", 50824, ids=[50824, 50983], rubric="seriousness"),
    _label("Alanine Aminotransferase (ALT)", 50861, rubric="liver"),
    _label("Bilirubin, Direct", 50883, ids=[50883, 50885], rubric="gallbladder"),
    _label("Bilirubin, Total", 50885, ids=[50883, 50885], rubric="gallbladder"),
    _label("Lipase", 50956, rubric="pancreas"),
    _label("Sodium", 50983, ids=[50824, 50983], rubric="seriousness"),
    _label("Glucose", 51084, fluid="Urine", ids=[51084, 50931]),
    _label("Hemoglobin", 51222, rubric="general"),
    _label("WBC Count", 51300, ids=[51300, 51301], rubric="inflammation"),
    _label("White Blood Cells", 51301, ids=[51300, 51301], rubric="inflammation"),
    _label("WBC", 51516, fluid="Urine", rubric="general"),
    _label("Glucose", 50931, ids=[51084, 50931], rubric="seriousness"),
    LabMappingRow(kind="panel", label="Complete Blood Count (CBC)", corresponding_ids=CBC),
    LabMappingRow(kind="panel", label="Electrolyte Panel", corresponding_ids=[50824, 50983]),
    LabMappingRow(kind="panel", label="TSH", corresponding_ids=[50993]),
    LabMappingRow(kind="panel", label="Blood Culture", corresponding_ids=[90201]),
    LabMappingRow(kind="panel", label="Serum Electrolytes", corresponding_ids=[50824, 50983]),
    LabMappingRow(kind="abbreviation", label="ALT", fluid="Blood", corresponding_ids=[50861]),
    LabMappingRow(kind="abbreviation", label="CBC", corresponding_ids=CBC),
    LabMappingRow(kind="abbreviation", label="Alanine Aminotransferase", fluid="Blood", corresponding_ids=[50861]),
    LabMappingRow(kind="abbreviation", label="Complete Blood Count", corresponding_ids=CBC),
    LabMappingRow(kind="total", label="Total Bilirubin", corresponding_ids=[50885]),
    LabMappingRow(kind="microbiology", label="Blood Culture, Routine", itemid=90201, corresponding_ids=[90201]),
    LabMappingRow(kind="synonym", label="tbili", fluid="Blood", corresponding_ids=[50883, 50885]),
    LabMappingRow(kind="synonym", label="white count", fluid="Blood", corresponding_ids=[51300, 51301]),
]


def appendicitis_case(hadm_id: int = 80_000_101) -> HadmCase:
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
                test_itemid=90201,
                test_name="Blood Culture, Routine",
                spec_type_desc="BLOOD CULTURE",
                comments="No growth.",
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
