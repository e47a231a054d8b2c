"""`mimicbench view --qa-dir`: each question beside the turn that states its answer."""

import html
import re

from generator.qa.folder import read_folder
from tests.conftest import run_cli


def test_the_admission_page_shows_each_stated_question_beside_its_turn(template_output, qa_dir, tmp_path):
    run_cli("view", "--output-root", template_output, "--out", tmp_path / "report", "--qa-dir", qa_dir)
    item = next(i for i in read_folder(qa_dir).items if i.source == "record" and i.said_turns)
    turn = item.said_turns[0]
    page = (tmp_path / "report" / "admissions" / f"{turn.hadm_id}.html").read_text()
    block = re.search(rf'<li class="turn[^"]*" id="turn-{turn.turn_id}".*?</details></li>', page, re.S)
    assert block and item.item_id in block.group() and "this turn answers" in block.group()
    assert item.question in html.unescape(block.group())
