"""One admission end to end from a hand-made packet: the openai backend against the scripted server, the
template backend, repair rounds, failure records, atomic replacement, resume keys and the governance refusal."""

import json
import os
import random

import openai
import pytest

from generator import artifacts
from generator.answer import GenerationConfig
from generator.generate import generate_admission
from generator.governance import EndpointNotAllowed
from generator.llm import LLMClient, LLMSettings
from generator.model_backend import ModelBackend
from generator.template_backend import TemplateBackend
from tests.openai_server import chat_completion, error_response
from tests.packets import HADM, SUBJECT, good_answer, make_packet

FILES = {
    "packet.json",
    "input_data_manifest.json",
    "prompt_record.json",
    "model_call_record.json",
    "raw_model_output.json",
    "conversation.jsonl",
    "summary.json",
    "files_manifest.json",
}


def model_backend(server, **settings) -> ModelBackend:
    sdk = openai.OpenAI(base_url=server.url, api_key="sk-secret", max_retries=0, timeout=2)
    return ModelBackend(LLMClient(sdk, LLMSettings(model="m", **settings), sleep=lambda s: None, rng=random.Random(0)))


def run(tmp_path, backend, packet=None, **config):
    return generate_admission(
        packet or make_packet(),
        unlinked_notes=[],
        previous=None,
        backend=backend,
        config=GenerationConfig(**config),
        output_root=tmp_path,
        build_info={"data_origin": "synthetic"},
    )


def folder(tmp_path):
    return artifacts.admission_dir(tmp_path, SUBJECT, HADM)


def test_valid_answer_writes_every_artifact(tmp_path, openai_server):
    openai_server.push(chat_completion(json.dumps(good_answer())))
    outcome = run(tmp_path, model_backend(openai_server))

    assert outcome.status == "completed" and outcome.grounding_score == 1.0
    assert {p.name for p in folder(tmp_path).iterdir()} == FILES
    packet_file = json.loads((folder(tmp_path) / "packet.json").read_text())
    assert packet_file["packet_sha256"] == artifacts.sha256_text(artifacts.canonical_json(packet_file["packet"]))
    turns = [json.loads(line) for line in (folder(tmp_path) / "conversation.jsonl").read_text().splitlines()]
    assert [t["turn_id"] for t in turns] == [1, 2, 3, 4, 5]
    summary = json.loads((folder(tmp_path) / "summary.json").read_text())
    assert summary["grounding_score"] == 1.0 and summary["validation"]["ok"]
    manifest = json.loads((folder(tmp_path) / "input_data_manifest.json").read_text())
    assert manifest["sections"]["labs"] == {
        "rows_seen": 5,
        "rows_kept": 3,
        "truncated": True,
        "cap": 3,
        "link_methods": {"hadm_id": 2, "time_window": 1},
    }
    assert "sk-secret" not in "".join(p.read_text() for p in folder(tmp_path).iterdir())
    assert not list(folder(tmp_path).parent.glob(".*"))


def test_invalid_answer_is_repaired_with_the_errors_in_the_repair_message(tmp_path, openai_server):
    bad = good_answer()
    bad["conversation"][2]["evidence_eids"] = ["LAB#999"]
    openai_server.push(
        chat_completion("not json at all"), chat_completion(json.dumps(bad)), chat_completion(json.dumps(good_answer()))
    )
    outcome = run(tmp_path, model_backend(openai_server))

    assert outcome.status == "completed" and outcome.attempts == 3
    second, third = openai_server.requests[1].body["messages"], openai_server.requests[2].body["messages"]
    assert second[2] == {"role": "assistant", "content": "not json at all"}
    assert "not valid JSON" in second[3]["content"]
    assert "cites 'LAB#999'" in third[3]["content"]
    record = json.loads((folder(tmp_path) / "model_call_record.json").read_text())
    assert [len(r["errors"]) > 0 for r in record["rounds"]] == [True, True, False]
    raw = json.loads((folder(tmp_path) / "raw_model_output.json").read_text())
    assert raw["rounds"][0]["response_text"] == "not json at all"


def test_schema_violation_until_give_up_fails_without_touching_earlier_results(tmp_path, openai_server):
    openai_server.push(chat_completion(json.dumps(good_answer())))
    run(tmp_path, model_backend(openai_server))
    before = (folder(tmp_path) / "conversation.jsonl").read_text()

    wrong = {"conversation": [], "extra": True}
    openai_server.push(*[chat_completion(json.dumps(wrong))] * 2)
    outcome = run(tmp_path, model_backend(openai_server), repair_rounds=1)

    assert outcome.status == "failed" and outcome.error_kind == "validation"
    assert (folder(tmp_path) / "conversation.jsonl").read_text() == before
    failed = artifacts.failed_dir(tmp_path, SUBJECT, HADM)
    assert json.loads((failed / "failure.json").read_text())["error"].startswith("no valid answer after 2 rounds")
    assert len(json.loads((failed / "model_call_record.json").read_text())["rounds"]) == 2


def test_truncated_answers_are_reported_and_repaired_without_the_partial_text(tmp_path, openai_server):
    openai_server.push(*[chat_completion('{"conversation": [', finish_reason="length")] * 2)
    outcome = run(tmp_path, model_backend(openai_server), repair_rounds=1)
    assert outcome.status == "failed" and outcome.error_kind == "truncated"
    repair_turn = openai_server.requests[1].body["messages"]
    assert [m["role"] for m in repair_turn] == ["system", "user", "user"]
    assert "cut off at the output token limit" in repair_turn[2]["content"]


def test_transport_failure_is_recorded_with_every_attempt(tmp_path, openai_server):
    openai_server.push(*[error_response(503, "overloaded")] * 3)
    outcome = run(tmp_path, model_backend(openai_server, retry_limit=2))
    assert outcome.status == "failed" and outcome.error_kind == "server" and outcome.attempts == 3
    record = json.loads((artifacts.failed_dir(tmp_path, SUBJECT, HADM) / "model_call_record.json").read_text())
    assert [a["http_status"] for a in record["rounds"][0]["attempts"]] == [503, 503, 503]
    assert not folder(tmp_path).exists()


def test_template_backend_is_labelled_and_needs_no_server(tmp_path):
    outcome = run(tmp_path, TemplateBackend())
    assert outcome.status == "completed" and outcome.grounding_score == 1.0
    summary = json.loads((folder(tmp_path) / "summary.json").read_text())
    assert (summary["backend"], summary["model"]) == ("template", "template-baseline")
    record = json.loads((folder(tmp_path) / "model_call_record.json").read_text())
    assert record["resume_key"]["backend"] == "template" and record["endpoint"] is None


def test_up_to_date_admission_is_skipped_unless_forced(tmp_path):
    run(tmp_path, TemplateBackend())
    config = GenerationConfig()
    common = dict(
        unlinked_notes=[], previous=None, backend=TemplateBackend(), config=config, output_root=tmp_path, build_info={}
    )
    assert generate_admission(make_packet(), force=False, **common).status == "skipped"
    assert generate_admission(make_packet(), force=True, **common).status == "completed"
    changed = make_packet(discharge_note=False)
    assert generate_admission(changed, force=False, **common).status == "completed"


def test_a_complete_folder_with_a_missing_or_changed_file_is_redone_not_trusted(tmp_path):
    common = dict(
        unlinked_notes=[], previous=None, backend=TemplateBackend(), config=GenerationConfig(), output_root=tmp_path
    )
    generate_admission(make_packet(), build_info={}, **common)
    assert artifacts.is_whole(folder(tmp_path))

    (folder(tmp_path) / "packet.json").unlink()
    assert not artifacts.is_whole(folder(tmp_path))
    assert generate_admission(make_packet(), force=False, build_info={}, **common).status == "completed"
    assert artifacts.is_whole(folder(tmp_path))

    summary = folder(tmp_path) / "summary.json"
    summary.write_text(summary.read_text().replace("template", "tampered"))
    assert generate_admission(make_packet(), force=False, build_info={}, **common).status == "completed"
    assert generate_admission(make_packet(), force=False, build_info={}, **common).status == "skipped"


def test_unlinked_notes_get_their_own_file(tmp_path):
    note = {"note_id": "90000032-RR-99", "charttime": "2180-05-20T10:00:00", "text": "CXR"}
    generate_admission(
        make_packet(),
        unlinked_notes=[note],
        previous=None,
        backend=TemplateBackend(),
        config=GenerationConfig(),
        output_root=tmp_path,
        build_info={},
    )
    assert json.loads((folder(tmp_path) / "unlinked_notes.json").read_text()) == {"radiology_notes": [note]}


def test_credentialed_data_is_refused_for_remote_endpoints_before_any_request(tmp_path):
    sdk = openai.OpenAI(base_url="https://api.openai.com/v1", api_key="x", max_retries=0)
    backend = ModelBackend(LLMClient(sdk, LLMSettings(model="m")))
    with pytest.raises(EndpointNotAllowed, match="PhysioNet data use agreement"):
        run(tmp_path, backend, packet=make_packet("credentialed"))


def test_packet_file_is_serialized_once_in_canonical_form(tmp_path, openai_server):
    """`packet.json` is the canonical JSON of {packet, packet_sha256}, built from one serialization of the packet."""
    openai_server.push(chat_completion(json.dumps(good_answer())))
    run(tmp_path, model_backend(openai_server))

    text = (folder(tmp_path) / "packet.json").read_text(encoding="utf-8")
    stored = json.loads(text)
    assert text == artifacts.canonical_json(artifacts.packet_file(stored["packet"], stored["packet_sha256"])) + "\n"
    assert stored["packet_sha256"] == artifacts.packet_sha256(make_packet().model_dump(mode="json"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="names the fsynced files through /proc")
def test_every_file_is_fsynced_before_the_folder_is_renamed(tmp_path, openai_server, monkeypatch):
    synced, renamed_with = [], []
    real_fsync, real_replace = artifacts.os.fsync, artifacts._replace_dir

    def fsync(handle):
        synced.append(artifacts.os.readlink(f"/proc/self/fd/{handle}").rsplit("/", 1)[-1])
        real_fsync(handle)

    def replace_dir(source, target):
        renamed_with.append(({p.name for p in source.iterdir()}, set(synced)))
        real_replace(source, target)

    monkeypatch.setattr(artifacts.os, "fsync", fsync)
    monkeypatch.setattr(artifacts, "_replace_dir", replace_dir)
    openai_server.push(chat_completion(json.dumps(good_answer())))
    run(tmp_path, model_backend(openai_server))

    [(files, fsynced)] = renamed_with
    assert files == FILES and files <= fsynced
