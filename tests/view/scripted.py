"""Scripted model answers for the report tests: a cohort run with a repaired, a failed and an ungrounded admission,
and a CDM run, all against the scripted OpenAI-compatible server on real synthetic warehouse data."""

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from generator.cli import cli
from generator.template_backend import template_answer
from generator.warehouse import Warehouse
from tests.conftest import run_cli
from tests.openai_server import OpenAIServer, RecordedRequest, ScriptedResponse, chat_completion

ADMISSION = re.compile(r"ADM#(\d+)")
UNGROUNDED = " Your pulse was 250 at the time."


@dataclass
class ScriptedRun:
    """What the scripted cohort run was made to produce."""

    output_root: Path
    subject_ids: list[int]
    completed: list[int]
    failed: int
    repaired: int
    ungrounded: int


class ConversationModel:
    """An `openai_server` fallback: the template conversation of the prompt's admission, with scripted faults.

    `failing` admissions answer out of time order in every round; `repaired` ones only in the first round;
    the `ungrounded` one states a number that none of the rows its turn cites holds.
    """

    def __init__(self, answers: dict[int, dict[str, Any]], *, failing: int, repaired: int, ungrounded: int):
        self.answers, self.failing, self.repaired, self.ungrounded = answers, failing, repaired, ungrounded

    def __call__(self, request: RecordedRequest) -> ScriptedResponse:
        messages = request.body["messages"]
        prompt = next(m["content"] for m in messages if m["role"] == "user")
        hadm_id = int(ADMISSION.search(prompt).group(1))
        answer = json.loads(json.dumps(self.answers[hadm_id]))
        turns = answer["conversation"]
        if hadm_id == self.ungrounded:
            cited = next(t for t in turns if t["speaker"] != "PATIENT" and t["evidence_eids"])
            cited["text"] += UNGROUNDED
        is_repair = len([m for m in messages if m["role"] == "user"]) > 1
        if hadm_id == self.failing or (hadm_id == self.repaired and not is_repair):
            turns[-1]["relative_time"] = "H-99:00"
        text = json.dumps(answer)
        return chat_completion(
            text, prompt_tokens=len(prompt) // 4, completion_tokens=len(text) // 4, delay_s=(hadm_id % 5) / 100
        )


def scripted_cohort_run(warehouse_path: Path, output_root: Path, server: OpenAIServer, patients: int) -> ScriptedRun:
    """`generate-cohort` for the first `patients` patients with two or more admissions, through the scripted model."""
    warehouse = Warehouse(warehouse_path)
    subject_ids, hadm_ids = [], []
    for row in warehouse.cohort():
        refs = [r for r in warehouse.admissions(row["subject_id"]) if r.has_discharge_note]
        if len(refs) >= 2 and len(subject_ids) < patients:
            subject_ids.append(row["subject_id"])
            hadm_ids += [r.hadm_id for r in refs]
    answers = {hadm_id: template_answer(warehouse.packet(hadm_id)).model_dump() for hadm_id in hadm_ids}
    warehouse.close()
    failed, repaired, ungrounded = hadm_ids[-1], hadm_ids[1], hadm_ids[0]
    server.fallback = ConversationModel(answers, failing=failed, repaired=repaired, ungrounded=ungrounded)
    cohort = output_root.parent / "cohort.csv"
    with cohort.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["subject_id"], *([s] for s in subject_ids)])
    args = ["generate-cohort", "--db", warehouse_path, "--cohort", cohort, "--model", "scripted-model"]
    args += ["--base-url", server.url, "--output-root", output_root, "--concurrency", 2]
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 1 and f"{failed}" in result.output, result.output  # 1: an admission failed
    completed = [h for h in hadm_ids if h != failed]
    return ScriptedRun(output_root, subject_ids, completed, failed, repaired, ungrounded)


def doctor(request: RecordedRequest) -> ScriptedResponse:
    """A CDM `openai_server` fallback: examine, order labs and imaging, then answer appendicitis."""
    body = request.body
    if "response_format" in body:
        answer = {"diagnosis": "Acute appendicitis", "treatments": ["appendectomy", "antibiotics", "IV fluids"]}
        return chat_completion(json.dumps(answer))
    if any(message["role"] == "tool" for message in body["messages"]):
        return chat_completion("Enough information.")
    return chat_completion(
        tool_calls=[
            {"id": "a", "name": "physical_examination", "arguments": {}},
            {"id": "b", "name": "laboratory_tests", "arguments": {"tests": "CBC, BMP, LFTs and lipase"}},
            {"id": "c", "name": "imaging", "arguments": {"region": "Abdomen", "modality": "CT"}},
        ]
    )


def scripted_cdm_run(warehouse_path: Path, folder: Path, server: OpenAIServer, cases: int) -> Path:
    """`cdm export` then `cdm run` of the first `cases` cases through the scripted doctor; the results file."""
    cases_file, results = folder / "cases.json", folder / "results.jsonl"
    run_cli("cdm", "export", "--db", warehouse_path, "--out", cases_file)
    server.fallback = doctor
    args = ["--cases", cases_file, "--model", "scripted-model", "--base-url", server.url, "--limit", cases]
    run_cli("cdm", "run", *args, "--out", results)
    return results
