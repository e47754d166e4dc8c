"""The reviewer UI in a real browser: headless Chromium (Debian's package) against `sqzl track serve`'s
Datasette on localhost. Opens the commitments page, applies the status facet, checks what is shown."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils

import sqzl_docs
from sqzl_docs.tracker import link, store
from sqzl_docs.tracker.serve import command

from .conftest import RAW

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make test installs it as root)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _dom(url: str, profile: Path) -> str:
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom", url]
    return subprocess.run(args, capture_output=True, text=True, timeout=90, check=True).stdout


@pytest.fixture()
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    dbp = tmp_path / "tracker.db"
    db = sqlite_utils.Database(dbp)
    store.add(db, [sqzl_docs.parse(RAW / "000_a8a32f0196afeb02.txt"), sqzl_docs.parse(RAW / "003_bae5fa7c6a583b1e.txt")])
    link.link(db, as_of=dt.date(2023, 12, 28))
    db.close()
    port = _free_port()
    proc = subprocess.Popen(command(dbp, port=port, workdir=tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("datasette did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_commitments_page_facet_shows_a_known_commitment(server: str, tmp_path: Path) -> None:
    page = _dom(f"{server}/tracker/commitment_status", tmp_path / "profile")
    assert "承诺现状" in page and "推广老旧小区治理经验" in page
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*status=fulfilled[^"]*)"', page)]
    assert hrefs, "the status facet offers 'fulfilled'"
    url = hrefs[0] if hrefs[0].startswith("http") else server + (hrefs[0] if hrefs[0].startswith("/")
                                                               else "/tracker/commitment_status" + hrefs[0])
    faceted = _dom(url, tmp_path / "profile")
    assert "着力提升社区服务专业化水平" in faceted
    assert "推广老旧小区治理经验" not in faceted


def test_canned_queries_are_listed_and_run(server: str) -> None:
    index = urllib.request.urlopen(f"{server}/tracker", timeout=10).read().decode()
    for title in ("逾期未完成", "即将到期", "未见进展", "责任单位记分卡", "机器与审核人意见不一致"):
        assert title in index
    overdue = json.loads(urllib.request.urlopen(f"{server}/tracker/overdue.json?_shape=array", timeout=10).read())
    assert "推进社区综合服务设施建设" in {row["commitment"] for row in overdue}


def test_serve_is_read_only_and_on_localhost(tmp_path: Path) -> None:
    cmd = command(tmp_path / "x.db", workdir=tmp_path)
    assert "-i" in cmd and cmd[cmd.index("--host") + 1] == "127.0.0.1"
