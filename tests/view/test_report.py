"""`mimicbench view` on a scripted cohort run and CDM run: which pages it writes and what they hold."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from click.testing import CliRunner

from generator.cli import cli
from generator.view.html import NOTICE
from generator.view.pages.cdm import estimate
from tests.conftest import run_cli


class Elements(HTMLParser):
    """Every start tag of a page as (tag, attributes), and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def with_class(self, name: str) -> list[dict[str, str]]:
        return [a for _, a in self.tags if name in a.get("class", "").split()]

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}


def parse(path: Path) -> Elements:
    return Elements(path.read_text(encoding="utf-8"))


def row_ids(html: str) -> set[str]:
    """The ids of an admission page's rows: those in the page and those waiting in its #row-chunks script."""
    waiting = re.search(r'<script type="application/json" id="row-chunks">(.*?)</script>', html, re.S)
    chunks = json.loads(waiting.group(1)) if waiting else []
    return Elements(html + "".join(chunks)).ids()


def test_view_writes_an_index_run_cdm_patient_and_admission_pages(report, scripted_run):
    admissions = [*scripted_run.completed, scripted_run.failed]
    assert {p.stem for p in (report / "admissions").glob("*.html")} == {str(h) for h in admissions}
    assert {p.stem for p in (report / "patients").glob("*.html")} == {str(s) for s in scripted_run.subject_ids}
    for name in ("index.html", "run.html", "cdm.html", "assets/style.css", "assets/view.js", "DATA_USE.txt"):
        assert (report / name).is_file(), name
    index = parse(report / "index.html")
    keys = {a["data-key"] for _, a in index.tags if "data-key" in a}
    assert {int(k.split()[1]) for k in keys} == set(admissions)
    assert NOTICE in (report / "DATA_USE.txt").read_text()


def test_every_page_carries_the_data_use_notice_and_loads_nothing_from_elsewhere(report):
    pages = list(report.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert NOTICE.split(".")[0] in html, page
        for tag, attributes in Elements(html).tags:
            for name in ("href", "src"):
                link = attributes.get(name)
                if not link or link.startswith("#"):
                    continue
                assert not urlsplit(link).scheme, f"{page.name}: <{tag} {name}={link}> leaves the folder"
                target = (page.parent / unquote(urlsplit(link).path)).resolve()
                assert target.exists(), f"{page.name}: <{tag} {name}={link}> points at nothing"


def test_turns_cite_rows_of_the_page_and_ungrounded_numbers_are_marked(report, scripted_run):
    page = parse(report / "admissions" / f"{scripted_run.ungrounded}.html")
    rows = row_ids((report / "admissions" / f"{scripted_run.ungrounded}.html").read_text())
    turns = page.with_class("turn")
    assert turns and all(set(t["data-rows"].split()) <= rows for t in turns)
    assert any(t["data-rows"] for t in turns)
    summary = next(scripted_run.output_root.glob(f"*/admissions/{scripted_run.ungrounded}/summary.json"))
    ungrounded = json.loads(summary.read_text())["validation"]["ungrounded_numbers"]
    assert [u["number"] for u in ungrounded] == ["250"]
    html = (report / "admissions" / f"{scripted_run.ungrounded}.html").read_text()
    turn = html[html.index(f'id="turn-{ungrounded[0]["turn_id"]}"') :].split("</li>")[0]
    assert re.search(r'<mark class="ungrounded"[^>]*>250</mark>', turn)
    uncited = page.with_class("uncited")
    cited = page.with_class("cited-any")
    assert uncited and cited


def test_a_failed_admission_shows_every_rounds_raw_answer_and_errors(report, scripted_run):
    html = (report / "admissions" / f"{scripted_run.failed}.html").read_text()
    page = Elements(html)
    assert len(page.with_class("round")) == 3
    assert html.count("raw answer (") == 3
    assert html.count("chronology: turn") >= 3
    assert "No conversation: every round failed" in html
    assert 'class="badge failed"' in html


def test_a_repaired_admission_shows_both_rounds_and_the_repair_request(report, scripted_run):
    html = (report / "admissions" / f"{scripted_run.repaired}.html").read_text()
    assert len(Elements(html).with_class("round")) == 2
    assert "repair request sent" in html
    assert "Rounds: 2 (1 with errors)" in html


def test_run_page_links_the_failed_admission(report, scripted_run):
    html = (report / "run.html").read_text()
    assert f'href="admissions/{scripted_run.failed}.html"' in html
    assert "<svg" in html and "Slowest admissions" in html


def test_cdm_table_is_the_one_cdm_score_computes(report, cdm_results, tmp_path):
    scores = tmp_path / "scores.json"
    run_cli("cdm", "score", "--results", cdm_results, "--json-out", scores)
    expected = json.loads(scores.read_text())
    html = (report / "cdm.html").read_text()
    table = html[html.index('class="numeric scores"') : html.index("</table>", html.index('class="numeric scores"'))]
    for name, group in [*expected["per_pathology"].items(), ("overall", expected["overall"])]:
        row = table[table.index(f"<td>{name}</td>") :].split("</tr>")[0]
        cells = re.findall(r"<td>([^<]*)", row)[3:]
        metrics = group["metrics"]
        means = ["–" if estimate(group, m)[0] is None else f"{estimate(group, m)[0]:.3f}" for m in metrics]
        assert [c.strip() for c in cells] == means, name
    for case in expected["cases"]:
        assert (report / "cdm" / f"{case['hadm_id']}.html").is_file()


def test_intervals_are_read_from_the_scores():
    summary = {"n": 4, "mean": 0.5, "ci_low": 0.25, "ci_high": 0.75}
    assert estimate({"metrics": {"diagnosis": summary}}, "diagnosis") == (0.5, 0.25, 0.75)


def test_view_replaces_its_own_report_but_refuses_another_folder(scripted_run, tmp_path):
    out = tmp_path / "report"
    run_cli("view", "--output-root", scripted_run.output_root, "--out", out)
    (out / "stale.html").write_text("old")
    run_cli("view", "--output-root", scripted_run.output_root, "--out", out)
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()

    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep me")
    result = CliRunner().invoke(cli, ["view", "--output-root", str(scripted_run.output_root), "--out", str(foreign)])
    assert result.exit_code == 1 and "is not a report written by `mimicbench view`" in result.output
    assert (foreign / "mine.txt").read_text() == "keep me"


def test_a_missing_output_root_or_a_broken_file_is_a_clear_error(scripted_run, tmp_path):
    result = CliRunner().invoke(cli, ["view", "--output-root", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "No output root at" in result.output
    args = ["view", "--output-root", str(scripted_run.output_root), "--out", str(tmp_path / "report")]
    result = CliRunner().invoke(cli, [*args, "--cdm-results", str(tmp_path / "results.jsonl")])
    assert result.exit_code == 1 and "No results file at" in result.output

    broken = tmp_path / "output"
    subject = scripted_run.output_root / str(scripted_run.subject_ids[0])
    copied = broken / subject.name / "admissions"
    source = next(p for p in (subject / "admissions").iterdir() if not p.name.endswith(".failed"))
    (copied / source.name).mkdir(parents=True)
    for file in source.iterdir():
        (copied / source.name / file.name).write_bytes(file.read_bytes())
    (copied / source.name / "summary.json").write_text('{"validation": ')
    result = CliRunner().invoke(cli, ["view", "--output-root", str(broken)])
    assert result.exit_code == 1
    assert (
        "summary.json line 1 column 16 is not valid JSON" in result.output
        and "generate this admission" in result.output
    )
