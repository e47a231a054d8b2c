"""Cohort fixtures: the scripted server answering every request with a valid canned answer, and CLI helpers."""

import json
import threading
import time
from dataclasses import dataclass

import pytest
from click.testing import CliRunner, Result

from bench.delay_server import ADMISSION, canned_answer
from generator.cli import cli
from tests.openai_server import RecordedRequest, ScriptedResponse, chat_completion


@dataclass
class Call:
    hadm_id: int
    started: float
    ended: float


class Answerer:
    """An `openai_server` fallback: after `delay_s`, a valid answer for the admission the prompt is about."""

    def __init__(self) -> None:
        self.delay_s = 0.0
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> ScriptedResponse:
        started = time.monotonic()
        prompt = next(m["content"] for m in request.body["messages"] if m["role"] == "user")
        time.sleep(self.delay_s)
        with self._lock:
            self.calls.append(Call(int(ADMISSION.search(prompt).group(0)[4:]), started, time.monotonic()))
        return chat_completion(json.dumps(canned_answer(prompt)))


@pytest.fixture
def answers(openai_server) -> Answerer:
    answerer = Answerer()
    openai_server.fallback = answerer
    return answerer


def generate_cohort(db, server, output_root, *options) -> Result:
    """`mimicbench generate-cohort` in-process against the scripted server."""
    args = ["generate-cohort", "--db", db, "--base-url", server.url, "--model", "m", "--output-root", output_root]
    return CliRunner().invoke(cli, [str(a) for a in [*args, *options]])


def report(output_root) -> dict:
    return json.loads((output_root / "run_report.json").read_text())
