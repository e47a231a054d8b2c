"""The report in a real browser: Debian's headless Chromium driven by Selenium (see `bench/chromium.py`)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from bench.chromium import CHROMEDRIVER, CHROMIUM, INSTALL_HINT, available, headless_chromium

IN_VIEW = """
const row = document.getElementById(arguments[0]);
if (!row) return false;
const box = row.getBoundingClientRect();
const pane = row.closest('.pane').getBoundingClientRect();
return box.height > 0 && box.top >= Math.max(0, pane.top) - 1
    && box.bottom <= Math.min(innerHeight, pane.bottom) + 1;
"""
LOAD_MS = "return performance.getEntriesByType('navigation')[0].loadEventEnd;"


@pytest.fixture(scope="session")
def browser() -> Iterator[webdriver.Chrome]:
    if not available():
        pytest.skip(f"the browser tests need Debian's {CHROMIUM} and {CHROMEDRIVER}: {INSTALL_HINT}")
    driver = headless_chromium()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def open_page(browser: webdriver.Chrome, path: Path) -> float:
    """Load a page from disk; its load time in milliseconds. Fails on any console error."""
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(path.as_uri())
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors
    return browser.execute_script(LOAD_MS)


def in_view(browser: webdriver.Chrome, element_id: str) -> bool:
    """The element is on the page and within both its pane and the window."""
    return browser.execute_script(IN_VIEW, element_id)


def far_turn(browser: webdriver.Chrome) -> tuple[WebElement, list[str]]:
    """The first turn whose first cited row is out of view, and the ids of its cited rows."""
    for turn in browser.find_elements(By.CSS_SELECTOR, ".turn:not([data-rows=''])"):
        rows = turn.get_attribute("data-rows").split()
        if not in_view(browser, rows[0]):
            return turn, rows
    raise AssertionError("every turn's rows are in view already")


def test_selecting_a_turn_highlights_its_cited_rows_and_scrolls_them_into_view(
    browser, report, scripted_run, screenshots
):
    open_page(browser, report / "admissions" / f"{scripted_run.ungrounded}.html")
    turn, rows = far_turn(browser)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", turn)
    turn.find_element(By.CSS_SELECTOR, "p").click()

    assert "selected" in turn.get_attribute("class")
    assert all("cited" in browser.find_element(By.ID, row).get_attribute("class").split() for row in rows)
    assert in_view(browser, rows[0])
    first = browser.find_element(By.ID, rows[0])
    background = browser.execute_script("return getComputedStyle(arguments[0].cells[0]).backgroundColor", first)
    assert background == "rgb(255, 248, 197)"
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.cited")) == len(rows)
    assert "cited row" in browser.find_element(By.ID, "selection").text
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(screenshots / "admission.png"))


def test_an_evidence_link_scrolls_to_its_row(browser, report, scripted_run):
    open_page(browser, report / "admissions" / f"{scripted_run.ungrounded}.html")
    turn, rows = far_turn(browser)
    link = turn.find_element(By.CSS_SELECTOR, f"a.eid[href='#{rows[0]}']")
    target = link.get_attribute("hash")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", turn)
    link.click()

    row = browser.find_element(By.CSS_SELECTOR, ":target")
    assert f"#{row.get_attribute('id')}" == target and row.tag_name == "tr"
    assert in_view(browser, row.get_attribute("id"))
    assert "cited" in row.get_attribute("class").split()


def test_a_link_from_another_page_finds_a_row_that_waits_to_be_put_in_place(browser, report, scripted_run):
    page = report / "admissions" / f"{scripted_run.ungrounded}.html"
    open_page(browser, page)
    assert browser.execute_script("return JSON.parse(document.getElementById('row-chunks').textContent).length")
    last = browser.find_elements(By.CSS_SELECTOR, "tr[id^='r-']")[-1].get_attribute("id")
    browser.get("about:blank")
    browser.get(f"{page.as_uri()}#{last}")
    assert in_view(browser, last)


def test_rows_nothing_cites_can_be_dimmed(browser, report, scripted_run):
    open_page(browser, report / "admissions" / f"{scripted_run.ungrounded}.html")
    uncited = browser.find_element(By.CSS_SELECTOR, "tr.uncited")
    cited = browser.find_element(By.CSS_SELECTOR, "tr.cited-any")
    opacity = "return getComputedStyle(arguments[0]).opacity"
    assert browser.execute_script(opacity, uncited) == "1"
    browser.find_element(By.ID, "dim-uncited").click()
    assert float(browser.execute_script(opacity, uncited)) < 0.5
    assert browser.execute_script(opacity, cited) == "1"


def test_the_index_finds_an_admission_by_its_id(browser, report, scripted_run, screenshots):
    open_page(browser, report / "index.html")
    browser.save_screenshot(str(screenshots / "index.png"))
    browser.find_element(By.ID, "search").send_keys(str(scripted_run.failed))
    shown = [row for row in browser.find_elements(By.CSS_SELECTOR, "tr[data-key]") if row.is_displayed()]
    assert [row.get_attribute("data-key").split()[1] for row in shown] == [str(scripted_run.failed)]
    assert browser.find_element(By.ID, "shown").text == "1 shown"
    shown[0].find_element(By.LINK_TEXT, str(scripted_run.failed)).click()
    assert browser.current_url.endswith(f"admissions/{scripted_run.failed}.html")
    assert "Failed (validation)" in browser.find_element(By.CSS_SELECTOR, ".failure").text


@pytest.mark.parametrize(
    "name, page",
    [
        ("run", "run.html"),
        ("cdm", "cdm.html"),
        ("patient", "patients/{subject}.html"),
        ("admission-failed", "admissions/{failed}.html"),
    ],
)
def test_pages_load_without_console_errors(browser, report, scripted_run, screenshots, name, page):
    path = report / page.format(subject=scripted_run.subject_ids[0], failed=scripted_run.failed)
    load_ms = open_page(browser, path)
    assert 0 < load_ms < 5000
    assert browser.find_element(By.CSS_SELECTOR, "footer.notice").text.startswith("Data use.")
    browser.save_screenshot(str(screenshots / f"{name}.png"))


def test_a_cdm_case_shows_its_trace_beside_its_verdicts(browser, report, screenshots):
    open_page(browser, report / "cdm.html")
    browser.find_element(By.CSS_SELECTOR, "table.cases a").click()
    assert browser.find_elements(By.CSS_SELECTOR, "ol.trace li.tool")
    verdicts = browser.find_elements(By.CSS_SELECTOR, "table.verdicts tbody tr")
    assert [row.find_elements(By.TAG_NAME, "td")[0].text for row in verdicts][:2] == [
        "diagnosis",
        "diagnosis (lenient)",
    ]
    assert not [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    browser.save_screenshot(str(screenshots / "cdm-case.png"))
