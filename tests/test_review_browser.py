"""The review page in a real browser: Debian's headless Chromium, driven through chromedriver by
Selenium. A person marks three examples by keyboard, reloads and sees the marks, mines again, and
finds the WRONG one in the rejected file; the report page is photographed and its SVG charts read
from the DOM. .ci/run installs chromium and chromium-driver; elsewhere the test is skipped with the
reason when they are missing (under CI it fails instead).

TDM_SCREENSHOTS=DIR also writes the two screenshots there (the README's come from this test)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE, _free_port, wait_for_port
from training_data_miner.skills.review import fingerprint

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()):
        why = f"needs {CHROMIUM} and {CHROMEDRIVER}: apt-get install chromium chromium-driver (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    # as root, in a closed network: no sandbox, no GPU, none of Chromium's own calls home
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,1500", f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def mine(data_dir: Path) -> None:
    subprocess.run([sys.executable, "-m", "training_data_miner.server", "mine", str(SAMPLE), "--domain", "mps_scoring",
                    "--data-dir", str(data_dir), "-q", "--jobs", "1"], cwd=REPO, check=True, timeout=300)


@pytest.fixture
def review_server(data_dir, tmp_path):
    mine(data_dir)
    port = _free_port()
    err = open(tmp_path / "review.stderr", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "training_data_miner.server", "review", "--data-dir", str(data_dir),
                             "--root", str(REPO), "--port", str(port), "--domain", "mps_scoring"],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
    wait_for_port(proc, port, "review page", tmp_path / "review.stderr")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
        err.close()


def keep(tmp_path: Path, driver, name: str) -> Path:
    path = tmp_path / name
    driver.save_screenshot(str(path))
    if os.environ.get("TDM_SCREENSHOTS"):
        shutil.copy(path, Path(os.environ["TDM_SCREENSHOTS"]) / name)
    return path


def test_marks_by_keyboard_survive_a_reload_and_the_wrong_one_is_rejected_by_the_next_mine(
        browser, review_server, data_dir, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 20)
    browser.get(f"{review_server}/review?domain=mps_scoring&n=6&seed=11")
    cards = browser.find_elements(By.CSS_SELECTOR, "article.ex")
    assert len(cards) == 6
    fps = [c.get_attribute("data-fp") for c in cards]
    ids = [c.find_element(By.TAG_NAME, "h2").text for c in cards]
    # each card shows its source lines, its own line marked
    hit = cards[0].find_element(By.CSS_SELECTOR, "pre.src .hit").text
    dataset = json.loads((data_dir / "training_datasets" / "mps_scoring_training_data.json").read_text())
    first = next(e for e in dataset["examples"] if e["example_id"] == ids[0])
    assert hit.startswith(first["source"].rsplit("_", 1)[1]) and first["evidence"] in hit

    def saved(i: int, verdict: str) -> None:
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "article.ex")[i].find_element(
            By.CSS_SELECTOR, ".verdict").text.startswith(f"{verdict} by person"))

    body = browser.find_element(By.TAG_NAME, "body")
    assert "current" in cards[0].get_attribute("class")
    body.send_keys("1")  # GOOD, and on to the next
    saved(0, "GOOD")
    body.send_keys("n")  # the note of the current example
    browser.switch_to.active_element.send_keys("reasons are invented", Keys.ENTER)
    browser.switch_to.active_element.send_keys("3")  # WRONG, with the note
    saved(1, "WRONG")
    browser.switch_to.active_element.send_keys("2")  # WEAK
    saved(2, "WEAK")
    assert "current" in cards[3].get_attribute("class")
    browser.switch_to.active_element.send_keys("k")
    assert "current" in cards[2].get_attribute("class")
    browser.switch_to.active_element.send_keys("jj")
    assert "current" in cards[4].get_attribute("class")

    browser.refresh()
    cards = browser.find_elements(By.CSS_SELECTOR, "article.ex")
    assert [c.get_attribute("data-fp") for c in cards] == fps  # the same sample: its seed is in the URL
    assert [c.get_attribute("data-verdict") for c in cards] == ["GOOD", "WRONG", "WEAK", "", "", ""]
    assert cards[1].find_element(By.CSS_SELECTOR, ".note").get_attribute("value") == "reasons are invented"
    browser.execute_script("window.scrollTo(0, 0)")  # a reload keeps the scroll position
    keep(tmp_path, browser, "review_page.png")
    lines = (data_dir / "reviews" / "mps_scoring.verdicts.jsonl").read_text().splitlines()
    assert [(json.loads(x)["fingerprint"], json.loads(x)["verdict"]) for x in lines] == [
        (fps[0], "GOOD"), (fps[1], "WRONG"), (fps[2], "WEAK")]

    mine(data_dir)
    out = data_dir / "training_datasets"
    kept = {fingerprint(e) for e in json.loads((out / "mps_scoring_training_data.json").read_text())["examples"]}
    rejected = json.loads((out / "mps_scoring_rejected_examples.json").read_text())["rejected"]
    [wrong] = [r for r in rejected if fingerprint(r["example"]) == fps[1]]
    assert "Reviewed WRONG by person" in wrong["reasons"][0] and "reasons are invented" in wrong["reasons"][0]
    assert fps[1] not in kept and {fps[0], fps[2]} <= kept
    summary = json.loads((out / "mps_scoring_pattern_summary.json").read_text())
    assert summary["reviewed_precision"]["reviewed"] == 3 and summary["reviewed_precision"]["good"] == 1

    browser.refresh()  # the rejected WRONG example is still on the page, marked as rejected
    card = browser.find_element(By.CSS_SELECTOR, f'article.ex[data-fp="{fps[1]}"]')
    assert "Rejected by the last mine: Reviewed WRONG" in card.find_element(By.CSS_SELECTOR, ".rejected").text

    browser.get(f"{review_server}/report")
    shot = keep(tmp_path, browser, "report_page.png")
    assert shot.stat().st_size > 10_000
    section = browser.find_element(By.ID, "d-mps_scoring")
    charts = {c.get_attribute("data-chart"): c for c in section.find_elements(By.CSS_SELECTOR, "svg.chart")}
    assert set(charts) == {"rejections", "labels", "quality", "precision"}
    total = len(kept)
    bars = lambda chart: [int(b.get_attribute("data-value")) for b in charts[chart].find_elements(By.CSS_SELECTOR, "rect.bar")]
    assert sum(bars("labels")) == total
    assert sum(bars("rejections")) == len(rejected)
    assert int(charts["quality"].get_attribute("data-kept")) == total
    assert sum(int(b.get_attribute("data-value")) for b in charts["quality"].find_elements(By.CSS_SELECTOR, "rect.kept")) == total
    assert charts["precision"].get_attribute("data-reviewed") == "3"
    assert "precision 0.33 (n=3; 95% interval 0.06-0.79)" in charts["precision"].text
    # everything is in the page: the browser fetched nothing for it
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
