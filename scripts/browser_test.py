#!/usr/bin/env python3
"""The screening page in a real browser (Debian's chromium and chromium-driver, selenium from PyPI).

Screens a small search export with `csmed screen --html`, opens the page headless, checks the record
count, the pager and the marked words, ticks two records, reloads (the labels stay), exports the
labels, feeds the file to `csmed stop --labels` (and back into the page with --html), trains a
screener on it (`csmed train --input`), screens again into a new page that shows the labels, and
takes a screenshot that it checks is not blank. Exit status 0 when every check held.

    scripts/browser_test.py CSMED_BINARY WORK_DIR
"""
import csv
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"

TOPICS = [
    ("Statin therapy and muscle symptoms in older adults", "Myalgia and creatine kinase elevation were recorded in patients on statins."),
    ("Rhabdomyolysis after high-dose statins: a case series", "Muscle injury with raised creatine kinase in five patients."),
    ("Gardening and wellbeing", "A qualitative interview study of allotment holders."),
    ("Beta blockers after myocardial infarction", "Mortality outcomes over ten years of follow-up."),
    ("Exercise training in heart failure", "A randomised trial of supervised exercise."),
    ("Vitamin D and bone density", "Bone mineral density after two years of supplementation."),
]


# A record made to break the page if anything reached it unescaped: markup in the title, quotes in
# the id, a SICI DOI with entities, "#" and ";", quotes and commas in the abstract.
HOSTILE_TITLE = "<img src=x onerror=alert(1)> statin muscle symptoms"
HOSTILE = (
    "TY  - JOUR\n"
    "ID  - evil\"'id\n"
    f"TI  - {HOSTILE_TITLE}\n"
    "AB  - An \"abstract\", with a comma; and </script><!-- in it.\n"
    "DO  - 10.1002/(SICI)1097-4695(199706)32:7&lt;1::AID-NEU1&gt;3.0.CO;2-#\n"
    "ER  - \n\n"
)


def write_export(path, count):
    """A RIS search export of `count` records cycling through TOPICS, each with its own id, then HOSTILE."""
    with open(path, "w", encoding="utf-8") as out:
        for i in range(count):
            title, abstract = TOPICS[i % len(TOPICS)]
            out.write("TY  - JOUR\n")
            out.write(f"ID  - rec{i:03d}\n")
            out.write(f"TI  - {title} ({i})\n")
            out.write(f"AB  - {abstract}\n")
            out.write(f"AU  - Author{i}, A\nAU  - Second, B\n")
            out.write(f"PY  - {2000 + i % 20}\n")
            out.write("JO  - Journal of Tests\n")
            out.write(f"DO  - 10.1000/test.{i}\n")
            out.write("ER  - \n\n")
        out.write(HOSTILE)
        # The first record again (a search export may list one record twice).
        out.write(f"TY  - JOUR\nID  - rec000\nTI  - {TOPICS[0][0]} (repeated)\nAB  - {TOPICS[0][1]}\nER  - \n\n")


def png_colours(path):
    """Distinct colours and the share of pixels not of the background (the commonest colour) of an
    8-bit RGB(A) PNG, as chromium writes them; every fourth pixel of a row is enough to tell."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, f"unexpected PNG kind {depth}/{colour}/{interlace}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    counts, offset = {}, 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for x in range(stride):  # PNG's five row filters
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))) & 255
        for x in range(0, stride, channels * 4):
            pixel = bytes(line[x:x + 3])
            counts[pixel] = counts.get(pixel, 0) + 1
        previous = line
    total = sum(counts.values())
    return len(counts), 1 - max(counts.values()) / total


def check(condition, message):
    if not condition:
        print(f"browser test FAILED: {message}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {message}")


def run(*args):
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout, result.stderr, file=sys.stderr)
        check(False, f"{' '.join(args)} exited with {result.returncode}")
    return result.stdout


def main():
    csmed, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads, exist_ok=True)
    export, criteria, page = (os.path.join(work, name) for name in ("export.ris", "criteria.txt", "page.html"))
    write_export(export, 120)
    with open(criteria, "w") as out:
        out.write("Include studies reporting creatine kinase or myalgia.\n")
    # The title starts with U+0600, which joins the '<' after it into one grapheme: escaped all the same.
    run(csmed, "screen", "--input", export, "--review-title", "\u0600<b>Statins</b> and muscle symptoms", "--criteria", criteria,
        "--zero-shot", "bm25", "-o", os.path.join(work, "ranking.csv"), "--html", page)

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400",
                     f"--user-data-dir={tempfile.mkdtemp(prefix='csmed-browser-profile-')}"):
        options.add_argument(argument)
    # Safe Browsing would hold the download for a malware scan that, offline, never ends.
    options.add_argument("--safebrowsing-disable-download-protection")
    options.add_experimental_option("prefs", {
        "download.default_directory": downloads, "download.prompt_for_download": False,
        "safebrowsing.enabled": False, "safebrowsing.disable_download_protection": True})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        url = "file://" + page
        driver.get(url)
        wait = WebDriverWait(driver, 20)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "li.record"))
        check(driver.find_element(By.ID, "record-count").text == "122", "the page says 122 records")
        check(not driver.find_elements(By.CSS_SELECTOR, "#records img, h1 b, title b, #records script"),
              "markup in the review title and in a record's title stays text")
        check(HOSTILE_TITLE in [h.text for h in driver.find_elements(By.CSS_SELECTOR, "li.record h3")],
              "the hostile record is listed with its title as written")
        records = driver.find_elements(By.CSS_SELECTOR, "li.record")
        check(len(records) == 50, f"the first page lists 50 records (found {len(records)})")
        check("page 1 of 3" in driver.find_element(By.ID, "pager-top").text, "the pager says page 1 of 3")
        ranks = [int(r.get_attribute("data-rank")) for r in records]
        check(ranks == list(range(1, 51)), "records in rank order")
        query_marks = [m.text.lower() for m in driver.find_elements(By.CSS_SELECTOR, "#records mark.q")]
        criteria_marks = [m.text.lower() for m in driver.find_elements(By.CSS_SELECTOR, "#records mark.c")]
        check(query_marks and all(m.startswith(("statin", "muscle", "symptom")) for m in query_marks),
              f"the query's words are marked ({len(query_marks)}: {sorted(set(query_marks))})")
        check(criteria_marks and set(criteria_marks) <= {"creatine", "kinase", "myalgia"},
              f"the criteria's words are marked ({sorted(set(criteria_marks))})")
        first_title = records[0].find_element(By.CSS_SELECTOR, "h3").text
        check("statin" in first_title.lower() or "muscle" in first_title.lower(), f"a statin record ranks first: {first_title}")

        records[0].find_element(By.CSS_SELECTOR, "input.include").click()
        records[1].find_element(By.CSS_SELECTOR, "input.exclude").click()
        check(driver.find_element(By.ID, "labelled-count").text == "2", "two records labelled")
        check("included" in records[0].get_attribute("class") and "excluded" in records[1].get_attribute("class"),
              "the labelled records show their label")

        driver.get(url)  # local storage keeps the labels
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "li.record"))
        records = driver.find_elements(By.CSS_SELECTOR, "li.record")
        check(records[0].find_element(By.CSS_SELECTOR, "input.include").is_selected()
              and records[1].find_element(By.CSS_SELECTOR, "input.exclude").is_selected(), "labels kept across a reload")

        # Chromium 156 headless marks a download saved under its own name in a set folder as deleted
        # (chrome://downloads says so, the folder stays empty), so the download is saved under the
        # GUID name CDP's allowAndName gives it, in an empty folder of its own.
        for name in os.listdir(downloads):
            os.remove(os.path.join(downloads, name))
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allowAndName", "downloadPath": downloads})
        driver.find_element(By.ID, "export").click()
        exported = os.path.join(work, "export-labels.csv")
        deadline = time.time() + 30
        done = []
        while not done and time.time() < deadline:
            time.sleep(0.2)
            done = [n for n in os.listdir(downloads) if not n.endswith(".crdownload")]
        if done:
            os.replace(os.path.join(downloads, done[0]), exported)
        if not os.path.exists(exported):
            status = driver.find_element(By.ID, "export-status").text
            driver.get("chrome://downloads")
            time.sleep(1)
            items = driver.execute_script(
                "var m = document.querySelector('downloads-manager'); if (!m) return 'no manager';"
                "var list = m.shadowRoot.querySelectorAll('downloads-item');"
                "return Array.from(list).map(function (i) { var d = i.data || {}; return [d.state, d.filePath, d.dangerType, d.lastReasonText]; });")
            check(False, f"the export downloaded {exported} (page: '{status}', folder: {os.listdir(downloads)}, chrome://downloads: {items})")
        check("as export-labels.csv" in driver.find_element(By.ID, "export-status").text, "the page named the download export-labels.csv")
        check(True, f"the export downloaded ({exported})")
        rows = list(csv.DictReader(open(exported, encoding="utf-8", newline="")))
        check(len(rows) == 121, "the export lists every record once (the repeated one once)")
        check(len(driver.find_elements(By.CSS_SELECTOR, "p.repeat")) == 1, "the repeated record says which it repeats")
        hostile = [r for r in rows if r["title"] == HOSTILE_TITLE]
        check(len(hostile) == 1 and hostile[0]["record_id"] == "evil\"'id" and hostile[0]["doi"].endswith("CO;2-#")
              and hostile[0]["abstract"] == "An \"abstract\", with a comma; and </script><!-- in it.",
              "the hostile record's fields survive the export")
        labelled = [r for r in rows if r["order"]]
        check([(r["order"], r["label"], r["rank"]) for r in labelled] == [("1", "1", "1"), ("2", "0", "2")],
              "the export holds the two labels in rank order")
        check(rows[0]["title"] == first_title and rows[0]["included"] == "1", "the export carries the records' fields")

        advice = run(csmed, "stop", "--labels", exported)
        check("screened 2 of 121, 1 relevant found" in advice, "csmed stop reads the export")
        run(csmed, "stop", "--labels", exported, "--html", page)
        driver.get(url)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "li.record"))
        check("2 of 121 screened" in driver.find_element(By.ID, "stop-advice").text, "the page shows csmed stop's advice")
        check(len(driver.find_elements(By.CSS_SELECTOR, "table.rules tbody tr")) >= 3, "one row per stopping rule")

        # The reviewer's loop: train on the export, screen again, the labels showing in the new page.
        screener, page2 = os.path.join(work, "screener"), os.path.join(work, "page2.html")
        run(csmed, "train", "--input", exported, "--review-title", "Statins and muscle symptoms", "--output", screener)
        run(csmed, "screen", "--model", screener, "--input", export, "--review-title", "Statins and muscle symptoms",
            "-o", os.path.join(work, "ranking2.csv"), "--html", page2, "--labels", exported)
        driver.get("file://" + page2)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "li.record"))
        check(driver.find_element(By.ID, "labelled-count").text == "2", "the page of the trained screener shows the two labels")
        check("tfidf-embed-lr screener trained on 1 review" in driver.find_element(By.CSS_SELECTOR, ".about").text,
              "the new page names the trained screener")

        severe = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        check(not severe, f"no script errors ({severe})")

        shot = os.path.join(work, "page.png")
        driver.save_screenshot(shot)
        colours, ink = png_colours(shot)
        check(colours > 20 and ink > 0.05, f"the screenshot is not blank ({colours} colours, {ink:.0%} not background): {shot}")
    finally:
        driver.quit()
    print("browser test passed")


if __name__ == "__main__":
    main()
