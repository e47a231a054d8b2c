"""The tools the model may call on a case: physical examination, lab tests, imaging, and (when the run
offers it) diagnostic criteria.

Tools read only the case in memory. Every call, valid or not, becomes a `ToolAction` (what scoring reads);
malformed arguments and unknown tools are answered with an error message the model can act on.
"""

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from generator.cdm.case import HadmCase
from generator.cdm.criteria import CriteriaBook
from generator.cdm.lab_requests import LabMapper, LabRequest
from generator.cdm.prompt import lab_line, micro_line, report_block
from generator.llm import ToolCall

MODALITIES = (
    "CT",
    "MRI",
    "Ultrasound",
    "Radiograph",
    "NM",
    "FL",
    "ERCP",
    "MRCP",
    "EUS",
    "Mammogram",
    "Upper GI Series",
)
REGIONS = ("Abdomen", "Chest", "Pelvis", "Head", "Neck", "Spine", "Extremity", "Scrotum", "Venous")
MODALITY_ALIASES = {
    "us": "Ultrasound",
    "ultrasonography": "Ultrasound",
    "sonography": "Ultrasound",
    "ct scan": "CT",
    "computed tomography": "CT",
    "mr": "MRI",
    "magnetic resonance imaging": "MRI",
    "x-ray": "Radiograph",
    "xray": "Radiograph",
    "radiography": "Radiograph",
    "hida": "NM",
    "hida scan": "NM",
    "nuclear medicine": "NM",
    "fluoroscopy": "FL",
    "endoscopic ultrasound": "EUS",
}
REGION_ALIASES = {"abdominal": "Abdomen", "abd": "Abdomen", "abdomen and pelvis": "Abdomen", "thorax": "Chest"}

PHYSICAL_EXAM = "physical_examination"
LAB_TESTS = "laboratory_tests"
IMAGING = "imaging"
DIAGNOSTIC_CRITERIA = "diagnostic_criteria"


class LabArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tests: str


class ImagingArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str
    modality: str


class CriteriaArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disease: str


class ImagingRequest(BaseModel):
    region: str
    modality: str
    note_id: str | None


class ToolAction(BaseModel):
    """One tool call as the model made it and what came of it."""

    name: str
    arguments: str
    valid: bool
    error: str | None = None
    lab: LabRequest | None = None
    imaging: ImagingRequest | None = None


TOOL_SCHEMAS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": PHYSICAL_EXAM,
            "description": "Perform a physical examination of the patient and return the findings.",
            "parameters": {"type": "object", "properties": {}, "additionalProperties": False},
        },
    },
    {
        "type": "function",
        "function": {
            "name": LAB_TESTS,
            "description": "Order laboratory tests (blood, urine, microbiology) and return the results.",
            "parameters": {
                "type": "object",
                "properties": {"tests": {"type": "string", "description": "The tests, e.g. 'CBC, BMP and lipase'."}},
                "required": ["tests"],
                "additionalProperties": False,
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": IMAGING,
            "description": "Order one imaging study of one body region and return the radiologist's report.",
            "parameters": {
                "type": "object",
                "properties": {
                    "region": {"type": "string", "enum": list(REGIONS)},
                    "modality": {"type": "string", "enum": list(MODALITIES)},
                },
                "required": ["region", "modality"],
                "additionalProperties": False,
            },
        },
    },
]


CRITERIA_SCHEMA: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": DIAGNOSTIC_CRITERIA,
        "description": "Read the diagnostic criteria of a disease (or several, separated by commas).",
        "parameters": {
            "type": "object",
            "properties": {"disease": {"type": "string", "description": "The disease, e.g. 'cholangitis'."}},
            "required": ["disease"],
            "additionalProperties": False,
        },
    },
}


class CaseTools:
    """The tools bound to one case; remembers which imaging reports it has already returned. With a criteria
    book the diagnostic-criteria tool is offered too."""

    def __init__(self, case: HadmCase, labs: LabMapper, criteria: CriteriaBook | None = None):
        self._case = case
        self._labs = labs
        self._criteria = criteria
        self._shown_reports: set[str] = set()

    @property
    def schemas(self) -> list[dict[str, Any]]:
        return [*TOOL_SCHEMAS, CRITERIA_SCHEMA] if self._criteria else TOOL_SCHEMAS

    def call(self, call: ToolCall) -> tuple[str, ToolAction]:
        """The tool's answer for the model and the action record."""
        try:
            arguments = json.loads(call.arguments or "{}")
            if not isinstance(arguments, dict):
                raise ValueError("arguments must be a JSON object")
            if call.name == PHYSICAL_EXAM:
                return self._physical_exam(call)
            if call.name == LAB_TESTS:
                return self._lab_tests(call, LabArgs.model_validate(arguments))
            if call.name == IMAGING:
                return self._imaging(call, ImagingArgs.model_validate(arguments))
            if call.name == DIAGNOSTIC_CRITERIA and self._criteria:
                answer = self._criteria.answer(CriteriaArgs.model_validate(arguments).disease)
                return answer, ToolAction(name=call.name, arguments=call.arguments, valid=True)
            names = ", ".join(schema["function"]["name"] for schema in self.schemas)
            raise ValueError(f"unknown tool {call.name!r}; use one of {names}")
        except (ValueError, ValidationError) as error:
            message = _one_line(error)
            action = ToolAction(name=call.name, arguments=call.arguments, valid=False, error=message)
            return f"Error: {message}. Call the tool again with valid arguments.", action

    def _physical_exam(self, call: ToolCall) -> tuple[str, ToolAction]:
        text = self._case.physical_exam_text or "No physical examination findings are available."
        return text, ToolAction(name=call.name, arguments=call.arguments, valid=True)

    def _lab_tests(self, call: ToolCall, args: LabArgs) -> tuple[str, ToolAction]:
        """The case's results of the requested tests (lab and microbiology); names of tests the record lacks
        and names that resolved to no test are listed."""
        request = self._labs.resolve(args.tests)
        wanted = set(request.itemids)
        lines = [lab_line(lab) for lab in self._case.lab_results if lab.itemid in wanted]
        lines += [micro_line(event) for event in self._case.microbiology_events if event.test_itemid in wanted]
        available = {lab.itemid for lab in self._case.lab_results}
        available |= {event.test_itemid for event in self._case.microbiology_events}
        missing = [match.name for match in request.matched if available.isdisjoint(match.itemids)]
        if missing:
            lines.append("Not available in the record: " + ", ".join(missing))
        if request.unmatched:
            lines.append("Could not find: " + ", ".join(request.unmatched))
        action = ToolAction(name=call.name, arguments=call.arguments, valid=True, lab=request)
        return "\n".join(lines) or "No results.", action

    def _imaging(self, call: ToolCall, args: ImagingArgs) -> tuple[str, ToolAction]:
        region = _canonical(args.region, REGIONS, REGION_ALIASES)
        modality = _canonical(args.modality, MODALITIES, MODALITY_ALIASES)
        matching = [
            r
            for r in self._case.radiology_reports
            if (r.region or "").lower() == region.lower() and (r.modality or "").lower() == modality.lower()
        ]
        report = next((r for r in matching if r.note_id not in self._shown_reports), None)
        imaging = ImagingRequest(region=region, modality=modality, note_id=report.note_id if report else None)
        action = ToolAction(name=call.name, arguments=call.arguments, valid=True, imaging=imaging)
        if report is None:
            more = "further " if matching else ""
            return f"No {more}{modality} of the {region} is available.", action
        self._shown_reports.add(report.note_id)
        return report_block(report), action


def _canonical(value: str, allowed: tuple[str, ...], aliases: dict[str, str]) -> str:
    lowered = value.strip().lower()
    for option in allowed:
        if option.lower() == lowered:
            return option
    return aliases.get(lowered, value.strip())


def _one_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "invalid arguments: " + "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in error.errors()
        )
    if isinstance(error, json.JSONDecodeError):
        return f"arguments are not valid JSON ({error.msg})"
    return str(error)
