"""The reviewer UI's pages and its verdict form over HTTP (no browser), against real Datasette processes.

The form's endpoint ``/-/verdict`` writes only through the canned query ``record_verdict`` and only for
the logged-in reviewer with the CSRF token; an unknown commitment, status or evidence quote, or an empty
note, is refused with a message (400) and nothing is written; in read-only mode it writes nothing at all.
The helpers are the UI's own (labels, rationale in Chinese, marked text, organ names, search)."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from markupsafe import Markup

from sqzl_docs.tracker import ui
from sqzl_docs.tracker.schema import STATUSES
from sqzl_docs.tracker.text import fts_query

from .test_serve_security import PASSWORD, REVIEWER, Client, Server, built, count, fingerprint, serving  # noqa: F401

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, built: Path) -> Iterator[dict[str, Server]]:  # noqa: F811
    with serving(built, tmp_path_factory.mktemp("serve-ui")) as running:
        yield running


def _cid(db: Path, text: str = "推广老旧小区治理经验") -> str:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return str(con.execute("SELECT commitment_id FROM commitment_status WHERE commitment = ?", [text]).fetchone()[0])
    finally:
        con.close()


@pytest.mark.parametrize("mode", ["readonly", "writable"])
def test_pages_render(servers: dict[str, Server], mode: str) -> None:
    s = servers[mode]
    client = Client(s.base)
    cid = _cid(s.db)
    status, page = client.request(f"/-/commitment/{cid}")
    assert status == 200 and "推广老旧小区治理经验" in page and "sqzl-status" in page
    doc = re.search(r'href="/-/document/([0-9a-f]+)', page)
    assert doc
    assert client.request(f"/-/document/{doc.group(1)}?hl=0-5")[0] == 200
    assert client.request("/-/search?q=" + quote("社区"))[0] == 200
    status, charts = client.request("/-/charts")
    assert status == 200 and "<svg" in charts and 'id="scorecard-chart"' in charts
    assert client.request("/-/department/" + quote("重庆市民政局"))[0] == 200
    assert client.request("/-/commitment/nosuchid")[0] == 404
    assert client.request("/-/document/nosuchid")[0] == 404
    assert "sqzl-form" not in page  # no form without the reviewer logged in


@pytest.mark.parametrize("words", ["社区", "社区服务", "老旧小区"])
def test_datasette_search_box_and_canned_search_segment_the_query(servers: dict[str, Server], words: str) -> None:
    client = Client(servers["readonly"].base)
    status, body = client.request("/tracker/commitments.json?_shape=array&" + urlencode({"_search": words}))
    assert status == 200 and json.loads(body), words
    status, body = client.request("/tracker/search.json?_shape=array&" + urlencode({"words": words}))
    assert status == 200 and json.loads(body), words
    status, body = client.request("/tracker/scorecard.json?_shape=array")
    assert status == 200 and {"department", "status", "commitments"} <= set(json.loads(body)[0])


def test_verdict_endpoint_refused_in_read_only_mode(servers: dict[str, Server]) -> None:
    s = servers["readonly"]
    client = Client(s.base)
    before = fingerprint(s.db)
    fields = {"commitment_id": _cid(s.db), "status": "fulfilled", "note": "x"}
    assert client.post_form("/-/verdict", fields, form_page="/-/login")[0] == 403
    assert client.request("/-/verdict", fields)[0] == 403  # no CSRF token either
    assert fingerprint(s.db) == before


def test_verdict_endpoint_needs_the_reviewer_and_the_token(servers: dict[str, Server]) -> None:
    s = servers["writable"]
    before = fingerprint(s.db)
    fields = {"commitment_id": _cid(s.db), "status": "fulfilled", "note": "anonymous"}
    anonymous = Client(s.base)
    assert anonymous.post_form("/-/verdict", fields, form_page="/-/login")[0] == 403
    logged_in = Client(s.base)
    assert logged_in.login(PASSWORD)[0] == 302
    assert logged_in.request("/-/verdict", fields)[0] == 403  # without the CSRF token
    assert fingerprint(s.db) == before


def test_verdict_form_refuses_with_a_message_and_records_a_good_one(servers: dict[str, Server]) -> None:
    s = servers["writable"]
    cid = _cid(s.db)
    client = Client(s.base)
    assert client.login(PASSWORD)[0] == 302
    page = f"/-/commitment/{cid}"
    status, body = client.request(page)
    assert 'name="status"' in body and "<select" in body and 'name="evidence"' in body
    before = fingerprint(s.db)
    for bad, message in [
        ({"commitment_id": cid, "status": "done", "note": "x"}, "unknown status 'done'"),
        ({"commitment_id": cid, "status": "已完成", "note": "x"}, "未知状态"),
        ({"commitment_id": cid[:6], "status": "fulfilled", "note": "x"}, "unknown commitment id"),
        ({"commitment_id": cid, "status": "fulfilled", "note": " "}, "needs a note"),
        ({"commitment_id": cid, "status": "fulfilled", "note": "x", "evidence": "并无此句"}, "not found verbatim"),
    ]:
        status, body = client.post_form("/-/verdict", bad, form_page=page)
        body = html.unescape(body)
        assert status == 400 and message in body and "nothing was recorded" in body, bad
    assert fingerprint(s.db) == before
    n = count(s.db)
    status, _ = client.post_form("/-/verdict", {"commitment_id": cid, "status": "fulfilled", "note": "审核：已推广",
                                                "evidence": "推进社区综合服务设施建设", "sql": "DELETE FROM documents"},
                                 form_page=page)
    assert status == 303
    assert count(s.db) == n + 1 and count(s.db, "SELECT count(*) FROM documents") == 2
    assert count(s.db, f"SELECT count(*) FROM assessments WHERE commitment_id = '{cid}' AND status = 'fulfilled' "
                       f"AND assessor = 'human:{REVIEWER}' AND review_state = 'human_confirmed' "
                       "AND note LIKE '审核：已推广%推进社区综合服务设施建设%'") == 1
    status, body = client.request(page)
    assert "审核：已推广" in body and "已记录审核意见" in body and "推进社区综合服务设施建设" in body


# --- the UI's helpers ------------------------------------------------------------------------------

def test_every_status_has_a_label() -> None:
    for s in STATUSES:
        label = ui.status_label(s)
        assert isinstance(label, Markup) and s in label and ui.status_zh(s) != s


@pytest.mark.parametrize(("en", "zh"), [
    ("A later report states completion on the topic.", "后续报告表明该事项已完成。"),
    ("Deadline 2020-12-31 passed as of 2023-12-28; later reports say nothing on it.", "期限 2020-12-31 已过（截至 2023-12-28），后续报告未提及。"),
    ("Reported 37项 meets the target 4项.", "报告值 37项 达到目标 4项。"),
    ("Reported 3个 is 50% of the target 6个, reported after the deadline 2021-12-31.", "报告值 3个 为目标 6个 的 50%，报告晚于期限 2021-12-31。"),
    ("topic words: 事项、减负 (coverage 0.42, BM25 8.43)", "主题词：事项、减负（覆盖率 0.42，BM25 8.43）"),
    ("Something new from issue 12.", None),
])
def test_rationale_in_chinese(en: str, zh: str | None) -> None:
    assert ui.rationale_zh(en) == zh


def test_one_name_per_organ() -> None:
    assert ui.organ("发展改革委") == ui.organ("国家发展改革委") == "国家发展改革委"
    assert ui.organ("农业部") == ui.organ("农业农村部") == "农业农村部"
    assert ui.organ("x", "国家发展和改革委员会") == "国家发展改革委"  # by the departments table's canonical form
    assert ui.organ("市发展改革委") == "市发展改革委"  # a local organ is another organ


def test_marked_paragraphs_overlap_and_highlight() -> None:
    text = "第一段文字。\n到2025年建成养老服务体系。\n"
    paras = ui.marked_paragraphs(text, [(8, 13, "date", "日期"), (8, 20, "commitment", "承诺")], (13, 17))
    assert len(paras) == 2 and paras[0] == "第一段文字。"
    html = str(paras[1])
    assert '<span class="sqzl-m-commitment sqzl-m-date"' in html and '<mark class="sqzl-hl" id="hl">' in html
    assert re.sub(r"<[^>]+>", "", html) == "到2025年建成养老服务体系。"


def test_search_query_is_segmented() -> None:
    assert fts_query("职业教育") == '"职业" "教育"'
    assert fts_query("社区") == '"社区"'
