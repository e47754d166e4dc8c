"""The reviewer UI in a real browser: headless Chromium (Debian's package) against `sqzl track serve`'s
Datasette on localhost, driven over the DevTools protocol (:mod:`tests.chromium`, no extra package).

Follows a reviewer's path: the status list and its facet; a commitment known to be fulfilled, its evidence
quote, and the link to the later document where the quote is highlighted; a search in plain Chinese; the
scorecard chart; in writable mode, logging in, recording a verdict through the form and seeing it in the
history, and a clear refusal for an unknown status or commitment. Each page is saved as a PNG in
``out/screenshots/`` (``SQZL_SCREENSHOTS`` to put them elsewhere), for a person to look at."""

from __future__ import annotations

import datetime as dt
import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import sqlite_utils

import sqzl_docs
from sqzl_docs.tracker import link, serve, store

from .chromium import CHROMIUM, Browser
from .conftest import RAW, ROOT
from .test_serve_security import Server, serving

pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make test installs it as root)")]

DOCS = ["000_a8a32f0196afeb02.txt", "003_bae5fa7c6a583b1e.txt",  # the seed pair (重庆市民政局 2021, 重庆市人民政府 2023)
        "f01_guowuyuan_zhengfu_gongzuo_baogao_2015.txt",        # 职业教育
        "f09_guowuyuan_jiakuai_fazhan_yanglao_fuwuye_ruogan_yijian.txt"]  # 养老服务
FULFILLED = "着力提升社区服务专业化水平"  # the seed pair's fulfilled commitment (tests/data/seed_pair.yaml)
PASSWORD = "审核 correct horse"
REVIEWER = "ana"
SHOTS = Path(os.environ.get("SQZL_SCREENSHOTS") or ROOT / "out" / "screenshots")


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    tmp = tmp_path_factory.mktemp("ui")
    built = tmp / "built.db"
    db = sqlite_utils.Database(built)
    store.add(db, [sqzl_docs.parse(RAW / name) for name in DOCS])
    link.link(db, as_of=dt.date(2023, 12, 28))
    db.close()
    with serving(built, tmp, reviewer=REVIEWER, password=PASSWORD) as running:
        yield running


@pytest.fixture()
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b


def shot(b: Browser, name: str) -> Path:
    return b.screenshot(SHOTS / f"{name}.png")


def test_status_list_labels_and_facet(servers: dict[str, Server], browser: Browser) -> None:
    s = servers["readonly"]
    browser.goto(f"{s.base}/tracker/commitment_status")
    page = browser.html()
    shot(browser, "01_status_list")
    assert "承诺现状" in page and "推广老旧小区治理经验" in page
    headers = browser.js("[...document.querySelectorAll('table.rows-and-columns th')].map(th => th.innerText)")
    assert any("状态" in h and "status" in h for h in headers) and any("责任单位" in h for h in headers)
    assert browser.js("document.querySelectorAll('td.col-status .sqzl-status').length") > 0  # coloured labels
    assert browser.js("document.querySelectorAll('td.col-commitment_id a[href^=\"/-/commitment/\"]').length") > 0
    assert browser.js("document.querySelectorAll('td.col-departments ul.sqzl-depts a').length") > 0  # not raw JSON
    # The status facet, in Chinese and English: follow "已完成 · fulfilled".
    browser.submit("[...document.querySelectorAll('#facet-status a')].find(a => a.innerText.includes('fulfilled')"
                   " && !a.innerText.includes('partially')).click()")
    assert "status=fulfilled" in browser.url()
    assert FULFILLED in browser.text() and "推广老旧小区治理经验" not in browser.text()


def test_fulfilled_commitment_evidence_opens_the_later_document_at_the_quote(servers: dict[str, Server],
                                                                            browser: Browser) -> None:
    s = servers["readonly"]
    browser.goto(f"{s.base}/tracker/commitment_status?" + urlencode({"status": "fulfilled"}))
    browser.submit(f"[...document.querySelectorAll('td.col-commitment a')].find(a => a.innerText === "
                   f"{json.dumps(FULFILLED)}).click()")
    assert "/-/commitment/" in browser.url()
    shot(browser, "02_commitment")
    cid = browser.url().rsplit("/", 1)[1].split("#")[0]
    assert browser.text("h1") == FULFILLED
    assert "已完成" in browser.text(".sqzl-facts") and "fulfilled" in browser.text(".sqzl-facts")
    assert browser.text("mark.sqzl-hl") == FULFILLED  # the commitment highlighted in its paragraph
    (quote_text, doc_id, own_doc), = s.query(
        "SELECT e.quote, e.document_id, c.document_id FROM evidence e JOIN commitments c ON c.id = e.commitment_id "
        "JOIN assessments a ON a.id = (SELECT assessment_id FROM commitment_status WHERE commitment_id = c.id) "
        "WHERE c.id = ? AND EXISTS (SELECT 1 FROM json_each(a.evidence_ids) j WHERE j.value = e.id)", (cid,))
    assert doc_id != own_doc, "the evidence comes from a later document"
    links = browser.js("[...document.querySelectorAll('a.sqzl-quote-link')].map(a => [a.innerText, a.href])")
    assert links and quote_text in links[0][0]
    browser.submit("document.querySelector('a.sqzl-quote-link').click()")
    assert f"/-/document/{doc_id}" in browser.url()
    marked = browser.js("[...document.querySelectorAll('.sqzl-text mark.sqzl-hl')].map(m => m.innerText).join('')")
    assert marked == quote_text
    assert browser.js("document.getElementById('hl') !== null")
    shot(browser, "03_document_quote")
    # The document's own commitments are listed with their status, and its items are marked.
    assert browser.js("document.querySelectorAll('.sqzl-side a[href^=\"/-/commitment/\"]').length") > 0
    assert browser.js("document.querySelectorAll('.sqzl-text .sqzl-m-commitment').length") > 0


@pytest.mark.parametrize("words", ["职业教育", "社区", "养老服务", "社区工作者"])
def test_search_in_plain_chinese(servers: dict[str, Server], browser: Browser, words: str) -> None:
    s = servers["readonly"]
    browser.goto(f"{s.base}/-/search")
    browser.submit(f"document.querySelector('.sqzl-searchform input[name=q]').value = {json.dumps(words)};"
                   "document.querySelector('.sqzl-searchform').submit()")
    rows = browser.js("document.querySelectorAll('#search-commitments tbody tr, #search-progress tbody tr, "
                      "main ul li a[href^=\"/-/document/\"], .sqzl-search ul li a').length")
    assert rows > 0, words
    if words in ("社区", "养老服务"):  # commitments themselves, not only documents
        assert browser.js("document.querySelectorAll('#search-commitments tbody tr').length") > 0
    if words in ("职业教育", "社区"):
        shot(browser, f"04_search_{words}")
    # The canned query segments the same way.
    canned = json.loads(urllib.request.urlopen(f"{s.base}/tracker/search.json?_shape=array&"
                                               + urlencode({"words": words}), timeout=30).read())
    assert isinstance(canned, list)
    if words == "社区":
        assert canned


def test_scorecard_chart(servers: dict[str, Server], browser: Browser) -> None:
    s = servers["readonly"]
    browser.goto(f"{s.base}/tracker")
    browser.submit("[...document.querySelectorAll('a')].find(a => a.getAttribute('href') === '/-/charts').click()")
    assert browser.url().endswith("/-/charts")
    shot(browser, "05_charts")
    bars = browser.js("document.querySelectorAll('#scorecard-chart rect').length")
    labels = browser.js("[...document.querySelectorAll('#scorecard-chart a text')].map(t => t.textContent)")
    assert bars > 0 and "重庆市民政局" in labels
    assert len(labels) == len(set(labels)), "one bar per organ"
    assert browser.js("document.querySelectorAll('#quarters-chart rect').length") > 0
    # A department's bar leads to its commitments.
    browser.submit("document.querySelector('#scorecard-chart a').dispatchEvent(new MouseEvent('click', {bubbles: true}))")
    assert "/-/department/" in browser.url() and browser.js("document.querySelectorAll('tbody tr').length") > 0
    shot(browser, "06_department")


def test_writable_verdict_form(servers: dict[str, Server], browser: Browser) -> None:
    s = servers["writable"]
    (cid,), = s.query("SELECT commitment_id FROM commitment_status WHERE commitment = '推广老旧小区治理经验'")
    n = s.query("SELECT count(*) FROM assessments")[0][0]
    browser.goto(f"{s.base}/-/commitment/{cid}")
    assert browser.js("document.querySelector('form.sqzl-form') === null")  # not logged in: no form
    assert "登录" in browser.text()
    browser.goto(f"{s.base}/-/login")
    browser.submit(f"document.getElementById('id_username').value = {json.dumps(REVIEWER)};"
                   f"document.getElementById('id_password').value = {json.dumps(PASSWORD)};"
                   "document.getElementById('id_password').form.submit()")
    browser.goto(f"{s.base}/-/commitment/{cid}")
    options = browser.js("[...document.querySelectorAll('#sqzl-status option')].map(o => o.value)")
    assert {"fulfilled", "partially_fulfilled", "overdue"} <= set(options)
    quote_text = "推进社区综合服务设施建设"
    browser.js(f"document.getElementById('sqzl-status').value = 'partially_fulfilled';"
               f"document.getElementById('sqzl-note').value = '审核：已有试点，未全面推广';"
               f"document.getElementById('sqzl-evidence').value = {json.dumps(quote_text)};")
    shot(browser, "07_verdict_form")
    browser.submit("document.getElementById('sqzl-submit').click()")
    assert browser.url().endswith(f"/-/commitment/{cid}#history")
    history = browser.text("table.sqzl-history")
    assert "审核：已有试点，未全面推广" in history and REVIEWER in history and "部分完成" in history
    assert "已记录" in browser.text()  # Datasette's message
    assert "部分完成" in browser.text(".sqzl-facts")  # the reviewer's verdict is the status now
    shot(browser, "08_verdict_recorded")
    assert s.query("SELECT count(*) FROM assessments")[0][0] == n + 1
    (assessor, status, note), = s.query("SELECT assessor, status, note FROM assessments ORDER BY id DESC LIMIT 1")
    assert (assessor, status) == (f"human:{REVIEWER}", "partially_fulfilled") and quote_text in note

    # An unknown status (a tampered form): refused with a message, nothing recorded.
    browser.js("const sel = document.getElementById('sqzl-status'); sel.add(new Option('done', 'done')); sel.value = 'done';"
               "document.getElementById('sqzl-note').value = 'x';")
    browser.submit("document.getElementById('sqzl-submit').click()")
    refusal = browser.text(".sqzl-refusal")
    assert "未知状态" in refusal and "unknown status 'done'" in refusal and "nothing was recorded" in refusal
    shot(browser, "09_verdict_refused")
    # An unknown commitment id (an id prefix): refused too.
    browser.goto(f"{s.base}/-/commitment/{cid}")
    browser.js(f"document.querySelector('form.sqzl-form input[name=commitment_id]').value = {json.dumps(cid[:6])};"
               "document.getElementById('sqzl-status').value = 'fulfilled'; document.getElementById('sqzl-note').value = 'x';")
    browser.submit("document.getElementById('sqzl-submit').click()")
    assert "未知承诺编号" in browser.text(".sqzl-refusal")
    assert s.query("SELECT count(*) FROM assessments")[0][0] == n + 1


def test_readonly_pages_have_no_form(servers: dict[str, Server], browser: Browser) -> None:
    s = servers["readonly"]
    (cid,), = s.query("SELECT commitment_id FROM commitment_status LIMIT 1")
    browser.goto(f"{s.base}/-/commitment/{quote(cid)}")
    assert browser.js("document.querySelector('form.sqzl-form') === null")
    assert "登录" not in browser.text(".sqzl-commitment")


def test_serve_is_read_only_and_on_localhost(tmp_path: Path) -> None:
    cmd = serve.command(tmp_path / "x.db", workdir=tmp_path)
    assert "-i" in cmd and cmd[cmd.index("--host") + 1] == "127.0.0.1"


def test_canned_queries_are_listed_and_run(servers: dict[str, Server]) -> None:
    base = servers["readonly"].base
    index = urllib.request.urlopen(f"{base}/tracker", timeout=10).read().decode()
    for title in ("逾期未完成", "即将到期", "未见进展", "责任单位记分卡", "机器与审核人意见不一致"):
        assert title in index
    overdue = json.loads(urllib.request.urlopen(f"{base}/tracker/overdue.json?_shape=array", timeout=10).read())
    # the canned query lists exactly the tracker's overdue commitments (which ones are overdue is the
    # tracker's judgement, tested against the readings in test_tracker_pairs.py)
    expected = {row[0] for row in servers["readonly"].query(
        "select commitment_id from commitment_status where status = 'overdue'")}
    assert expected and {row["commitment_id"] for row in overdue} == expected
