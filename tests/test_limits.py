"""Every limit is configurable and a breach is an error record naming the file and the limit; the rest
of the batch is kept. The time limit stops a stalled document, in one process and in worker processes."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sqzl_docs import pipeline, structure
from sqzl_docs.cli import app
from sqzl_docs.limits import Limits, TimeLimitExceeded, checkpoint, time_limit

from .conftest import FIXTURES

GOOD_TEXT = "关于推进社区治理的通知\n各区县：\n一、到2022年底，全市社区服务设施覆盖率达到100%。\n市民政局\n2021年5月11日\n"


@pytest.fixture()
def good(tmp_path: Path) -> str:
    """A small, well-formed document that fits every limit used here."""
    path = tmp_path / "good.txt"
    path.write_text(GOOD_TEXT, encoding="utf-8")
    return str(path)


def _deep_html(path: Path, depth: int) -> None:
    path.write_text("<html><body>" + "<div>" * depth + "关于社区治理的通知" + "</div>" * depth + "</body></html>",
                    encoding="utf-8")


# limit override, how to make the file, expected code, words the reason must hold
CASES = {
    "bytes": (Limits(max_bytes=1000), lambda p: p.write_text("社区" * 1000, encoding="utf-8"), "big.txt",
              "ingest.too_large", "limit of 1,000 bytes"),
    "chars": (Limits(max_chars=500), lambda p: p.write_text("社区治理。" * 200, encoding="utf-8"), "long.txt",
              "ingest.too_long", "limit of 500"),
    "pages": (Limits(max_pages=3), lambda p: p.write_bytes((FIXTURES / "pdf" / "000_a8a32f0196afeb02.pdf").read_bytes()),
              "many_pages.pdf", "ingest.too_large", "limit of 3"),
    "zip_entries": (Limits(max_zip_entries=3),
                    lambda p: p.write_bytes((FIXTURES / "docx" / "004_ea63ed9e1561bada.docx").read_bytes()),
                    "entries.docx", "ingest.too_large", "zip entries"),
    "unzipped": (Limits(max_unzipped_bytes=2000),
                 lambda p: p.write_bytes((FIXTURES / "docx" / "004_ea63ed9e1561bada.docx").read_bytes()),
                 "unzipped.docx", "ingest.too_large", "unpacks to"),
    "html_depth": (Limits(max_html_depth=20), lambda p: _deep_html(p, 40), "deep.html", "ingest.too_deep",
                   "limit of 20"),
    "html_parser_depth": (Limits(), lambda p: _deep_html(p, 5000), "deeper.html", "ingest.too_deep",
                          "deeper than the HTML parser reads"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_limit_gives_a_clear_record_and_the_batch_goes_on(tmp_path: Path, good: str, name: str) -> None:
    limits, make, filename, code, words = CASES[name]
    bad = tmp_path / filename
    make(bad)
    records = list(pipeline.run([good, str(bad), good], limits=limits))
    assert [r.kind for r in records] == ["document", "problem", "document"]
    problem = records[1]
    assert problem.code == code and str(bad) in problem.source and str(bad) in problem.reason
    assert words in problem.reason


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_limit_is_off_or_wider_by_default(tmp_path: Path, name: str) -> None:
    """The same files under default limits: only the page that the HTML parser cannot read fails."""
    _, make, filename, code, _ = CASES[name]
    path = tmp_path / filename
    make(path)
    (record,) = pipeline.run([str(path)])
    assert (record.kind == "problem") == (name == "html_parser_depth")


def test_a_limit_of_zero_is_off(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("社区治理。" * 200, encoding="utf-8")
    (record,) = pipeline.run([str(path)], limits=Limits(max_bytes=0, max_chars=0))
    assert record.kind == "document"


def test_json_lines_limits_apply_per_line(tmp_path: Path) -> None:
    path = tmp_path / "replies.jsonl"
    lines = [{"id": 1, "reply": "您好！已转交市民政局办理。"}, {"id": 2, "reply": "社区" * 400},
             {"id": 3, "reply": "谢谢。" * 10}]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    records = list(pipeline.run([str(path)], limits=Limits(max_chars=300)))
    assert [r.kind for r in records] == ["document", "problem", "document"]
    assert records[1].code == "ingest.too_long" and records[1].source == f"{path}#L2"
    records = list(pipeline.run([str(path)], limits=Limits(max_bytes=200)))
    assert [r.kind for r in records] == ["document", "problem", "document"]
    assert records[1].code == "ingest.too_large"


def test_cli_takes_every_limit(tmp_path: Path, good: str) -> None:
    pdf = tmp_path / "a.pdf"
    CASES["pages"][1](pdf)
    html = tmp_path / "b.html"
    _deep_html(html, 40)
    out = tmp_path / "out.jsonl"
    args = ["extract", "-q", str(pdf), str(html), good, "-o", str(out), "--max-pages", "3",
            "--max-html-depth", "20", "--max-bytes", "10000000", "--max-chars", "100000", "--timeout", "60",
            "--max-zip-entries", "100", "--max-unzipped-bytes", "10000000"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    codes = [json.loads(line).get("code") for line in out.read_text(encoding="utf-8").splitlines()]
    assert codes == ["ingest.too_large", "ingest.too_deep", None]


def _slow_structure(monkeypatch: pytest.MonkeyPatch, marker: str, seconds: float) -> None:
    """A document holding ``marker`` stalls in structure analysis (as a pathological file would)."""
    analyse = structure.analyse

    def stalling(doc):  # type: ignore[no-untyped-def]
        if marker in doc.text:
            time.sleep(seconds)
        return analyse(doc)

    monkeypatch.setattr(structure, "analyse", stalling)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_stalled_document_is_stopped_and_the_batch_goes_on(tmp_path: Path, good: str,
                                                              monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    _slow_structure(monkeypatch, "停滞", 30)
    stalled = tmp_path / "stalled.txt"
    stalled.write_text("关于停滞的通知\n各区县：\n一、总体要求\n", encoding="utf-8")
    paths = [good, str(stalled), good]
    sink = io.StringIO()
    started = time.monotonic()
    ok, failed = pipeline.write_json(paths, sink, jobs=jobs, limits=Limits(seconds=0.5), batch=1)
    assert time.monotonic() - started < 25  # not a speed assertion: the 30 s stall was cut short
    records = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert (ok, failed) == (2, 1)
    assert [r["kind"] for r in records] == ["document", "problem", "document"]
    assert records[1]["code"] == "structure.timeout" and str(stalled) in records[1]["reason"]


def test_the_timer_is_cleared_after_each_document(tmp_path: Path) -> None:
    """A document that finishes in time leaves no alarm behind to fire later."""
    with time_limit(0.2):
        pass
    time.sleep(0.4)  # an alarm left armed would raise here


def test_outside_the_main_thread_the_limit_is_checked_between_stages() -> None:
    caught: list[BaseException] = []

    def work() -> None:
        try:
            with time_limit(0.05):
                time.sleep(0.2)
                checkpoint()
        except TimeLimitExceeded as exc:
            caught.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert caught
