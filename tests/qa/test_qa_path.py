"""The whole path on the synthetic warehouse: template conversations -> qa build -> qa run against a scripted
perfect answerer -> qa score."""

import json

from generator.qa.folder import read_folder
from generator.qa.runner import QaAnswer, messages_for
from tests.conftest import run_cli
from tests.openai_server import OpenAIServer, RecordedRequest, chat_completion

FAMILIES = {
    "value_at_time",
    "first_abnormal",
    "trend",
    "medication_change",
    "organism_count",
    "first_growth",
    "event_order",
    "carried_over",
}


def perfect_answerer(folder):
    """A scripted server that answers each request with its item's gold, or abstains where none is documented."""
    answers = {}
    for item in folder.items:
        content = messages_for(item, folder, "context")[-1]["content"]
        if item.expected == "answer":
            text = f"{item.gold_text} {item.gold_unit or ''}".strip()
            answers[content] = QaAnswer(answer=text, not_documented=False)
        else:
            answers[content] = QaAnswer(answer="", not_documented=True)

    def answer(request: RecordedRequest):
        return chat_completion(answers[request.body["messages"][-1]["content"]].model_dump_json())

    return OpenAIServer(fallback=answer)


def test_every_family_yields_items_stated_in_the_template_conversations(qa_dir):
    folder = read_folder(qa_dir)
    stated = {i.family for i in folder.items if i.source == "record" and i.expected == "answer"}
    assert stated == FAMILIES
    sources = {i.source for i in folder.items}
    assert sources == {"record", "not_said", "cross_patient"}
    assert any(i.family == "absent_from_record" for i in folder.items)
    assert len({(i.item_id, i.bucket) for i in folder.items}) == len(folder.items)
    for item in folder.items:
        context = folder.contexts[item.context_id]
        text = messages_for(item, folder, "context")[-1]["content"]
        assert "#" not in text.replace("#####", "") and str(item.evidence_eids[:1]) not in text
        assert context.tokens <= {"8k": 8192, "32k": 32768, "128k": 131072}[item.bucket]
        if item.source == "record" and item.expected == "answer":
            assert item.said_turns and 0 <= item.evidence_depth <= 1
    report = json.loads((qa_dir / "build_report.json").read_text())
    assert report["data_origin"] == "synthetic" and report["verdicts"]["value_at_time"]["not_said"] > 0


def test_a_perfect_answerer_scores_one_on_answerable_items_and_abstains_on_the_rest(qa_dir, tmp_path):
    folder = read_folder(qa_dir)
    results = tmp_path / "results.jsonl"
    with perfect_answerer(folder) as server:
        run = ["qa", "run", "--qa-dir", qa_dir, "--out", results, "--model", "m", "--base-url", server.url]
        output = run_cli(*run, "--bucket", "8k", "--concurrency", 4)
        again = run_cli(*run, "--bucket", "8k")
    n_8k = sum(i.bucket == "8k" for i in folder.items)
    assert f"{n_8k} items run (ok: {n_8k}), 0 already" in output
    assert f"0 items run (none run), {n_8k} already" in again

    run_cli("qa", "score", "--qa-dir", qa_dir, "--results", results, "--json-out", tmp_path / "scores.json")
    scores = {g["group"]: g for g in json.loads((tmp_path / "scores.json").read_text())["groups"]}
    overall = scores["all"]
    assert overall["n"] == n_8k and overall["n_answerable"] > 0 and overall["n_not_documented"] > 0
    assert overall["rates"] == {
        "accuracy": 1.0,
        "abstention_precision": 1.0,
        "abstention_recall": 1.0,
        "hallucination_rate": 0.0,
    }
    expected_families = {f"family={f}" for f in FAMILIES if f not in ("organism_count", "first_growth")}
    assert {g for g in scores if g.startswith("family=")} >= expected_families


def test_the_no_context_baseline_sends_the_question_alone(qa_dir, tmp_path):
    folder = read_folder(qa_dir)
    item = folder.items[0]
    with OpenAIServer(fallback=lambda request: chat_completion('{"answer": "", "not_documented": true}')) as server:
        run_cli(
            "qa", "run", "--qa-dir", qa_dir, "--out", tmp_path / "r.jsonl", "--model", "m", "--base-url", server.url,
            "--limit", 1, "--no-context",
        )  # fmt: skip
    sent = server.requests[0].body["messages"]
    assert sent[-1]["content"].startswith(f"Question: {item.question}") and "#####" not in sent[-1]["content"]
