"""What the model is told: the system prompt, the opening user message, the final-answer request, and the
full-information prompt that gives everything at once."""

from generator.cdm.case import DetailedLabResult, HadmCase, MicrobiologyEvent, RadiologyReport

SYSTEM_TOOLS = (
    "You are a medical doctor in an emergency department. A patient presents with the history below. "
    "Gather the information you need with the tools (physical examination, laboratory tests, imaging); "
    "each call returns what was found. When you have enough information, stop calling tools and say so; "
    "you will then be asked for your final diagnosis and treatment."
)
SYSTEM_FULL_INFO = (
    "You are a medical doctor in an emergency department. You are given everything known about a patient: "
    "history, physical examination, laboratory results, microbiology and imaging. Give the single most likely "
    "primary diagnosis and the treatment."
)
FINAL_REQUEST = (
    "Give your final answer now as a JSON object with `diagnosis` (the single most likely primary diagnosis) "
    "and `treatments` (a list of the treatments you would start or perform)."
)


def opening_message(case: HadmCase) -> str:
    return (
        "Consider the following case and come to a final diagnosis and treatment by thinking, planning and "
        f"using the tools.\n\nPatient history:\n{case.patient_history}"
    )


def full_info_message(case: HadmCase) -> str:
    """Every section of the case under a header, then the answer request."""
    sections = [
        ("PATIENT HISTORY", case.patient_history or "none"),
        ("PHYSICAL EXAMINATION", case.physical_exam_text or "none"),
        ("LABORATORY RESULTS", "\n".join(lab_line(lab) for lab in case.lab_results) or "none"),
        ("MICROBIOLOGY", "\n".join(micro_line(event) for event in case.microbiology_events) or "none"),
        ("IMAGING", "\n\n".join(report_block(report) for report in case.radiology_reports) or "none"),
    ]
    body = "\n\n".join(f"@@@ {title} @@@\n{text}" for title, text in sections)
    return f"{body}\n\n{FINAL_REQUEST}"


def lab_line(lab: DetailedLabResult) -> str:
    """`(Blood) Lipase: 420 IU/L (abnormal) (ref: 0-60)`."""
    reference = ""
    if lab.ref_range_lower is not None or lab.ref_range_upper is not None:
        reference = f" (ref: {_number(lab.ref_range_lower)}-{_number(lab.ref_range_upper)})"
    return f"({lab.fluid or 'Unknown'}) {lab.test_name}: {lab.value}{reference}"


def micro_line(event: MicrobiologyEvent) -> str:
    finding = "; ".join(x for x in (event.organism_name, event.comments) if x) or "no growth reported"
    return f"(Microbiology) {event.test_name} [{event.spec_type_desc or 'specimen unknown'}]: {finding}"


def report_block(report: RadiologyReport) -> str:
    return f"{report.exam_name} ({report.modality}, {report.region}):\n{report.text}"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
