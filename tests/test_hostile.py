"""Hostile input the limits used not to stop (issue 16): a C call no timer interrupts, memory, HTML
comments and scripts, PDF text-stream, form and operator bombs and page counts, a DOCX paragraph
of millions of characters, an endless JSON Lines line, standard input or FIFO.

Outcomes only, never times: the batch finishes, the neighbours' records are kept, the code is
right, and the reader did not do the expensive thing (build every page, hold the whole line).
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
import textwrap
import threading
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from sqzl_docs import ingest, pipeline, structure
from sqzl_docs.errors import CODES, IngestError
from sqzl_docs.limits import Limits

from .conftest import FIXTURES, ROOT

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out

_spec = importlib.util.spec_from_file_location("hostile_bench", ROOT / "bench" / "hostile_bench.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

GOOD_TEXT = bench.GOOD
MiB = 1024 * 1024


@pytest.fixture()
def good(tmp_path: Path) -> str:
    path = tmp_path / "good.txt"
    path.write_text(GOOD_TEXT, encoding="utf-8")
    return str(path)


def _kinds(records: list) -> list[str]:
    return [r.kind if hasattr(r, "kind") else r["kind"] for r in records]


# ------------------------------------------------------------------ supervised workers

_STALL_DRIVER = textwrap.dedent("""
    import io, json, signal, sys, time
    from sqzl_docs import pipeline, structure
    from sqzl_docs.limits import Limits

    analyse = structure.analyse

    def stalling(doc):  # a C call that no timer stops: SIGALRM blocked, then a long sleep
        if "停滞" in doc.text:
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
            time.sleep(3600)
        return analyse(doc)

    structure.analyse = stalling
    sink = io.StringIO()
    counts = pipeline.write_json(sys.argv[2:], sink, jobs=int(sys.argv[1]), limits=Limits(seconds=2), batch=8)
    print(json.dumps({"counts": counts, "records": [json.loads(x) for x in sink.getvalue().splitlines()]}))
""")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_stall_no_timer_can_interrupt_is_killed_and_the_batch_goes_on(tmp_path: Path, good: str, jobs: int) -> None:
    stalled = tmp_path / "stalled.txt"
    stalled.write_text("关于停滞的通知\n各区县：\n一、总体要求\n", encoding="utf-8")
    driver = tmp_path / "driver.py"
    driver.write_text(_STALL_DRIVER, encoding="utf-8")
    paths = [good, str(stalled), good, good, str(stalled), good]
    # the watchdog only turns a hang (the old behaviour) into a failure; it measures nothing
    done = subprocess.run([sys.executable, str(driver), str(jobs), *paths], capture_output=True, text=True,
                          timeout=240, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    records = result["records"]
    assert result["counts"] == [4, 2]
    assert [r["source"] for r in records] == paths
    assert [r.get("code") for r in records] == [None, "structure.timeout", None, None, "structure.timeout", None]


def test_a_document_over_the_memory_limit_is_a_record_and_the_batch_goes_on(
        tmp_path: Path, good: str, monkeypatch: pytest.MonkeyPatch) -> None:
    analyse = structure.analyse

    def greedy(doc):  # type: ignore[no-untyped-def]
        if "贪婪" in doc.text:
            hog = [bytearray(64 * MiB) for _ in range(64)]  # 4 GiB
            return hog  # never reached
        return analyse(doc)

    monkeypatch.setattr(structure, "analyse", greedy)
    greedy_doc = tmp_path / "greedy.txt"
    greedy_doc.write_text("关于贪婪的通知\n各区县：\n", encoding="utf-8")
    records = list(pipeline.run([good, str(greedy_doc), good], limits=Limits(max_memory=256 * MiB)))
    assert _kinds(records) == ["document", "problem", "document"]
    assert records[1].code == "structure.memory" and str(greedy_doc) in records[1].reason
    assert "268,435,456 bytes" in records[1].reason
    assert records[1].code in CODES


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_worker_that_dies_is_a_record_and_the_batch_goes_on(
        tmp_path: Path, good: str, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    analyse = structure.analyse

    def dying(doc):  # type: ignore[no-untyped-def]
        if "猝死" in doc.text:
            os._exit(3)  # as a worker ends when the kernel kills it or a C library aborts
        return analyse(doc)

    monkeypatch.setattr(structure, "analyse", dying)
    dead = tmp_path / "dead.txt"
    dead.write_text("关于猝死的通知\n各区县：\n", encoding="utf-8")
    sink = io.StringIO()
    ok, failed = pipeline.write_json([good, str(dead), good, str(dead), good], sink, jobs=jobs, batch=4)
    records = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert (ok, failed) == (3, 2)
    assert [r.get("code") for r in records] == [None, "structure.memory", None, "structure.memory", None]
    assert "exit code 3" in records[1]["reason"]


def test_the_cli_takes_max_memory(tmp_path: Path, good: str) -> None:
    from typer.testing import CliRunner

    from sqzl_docs.cli import app

    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["extract", "-q", good, "-o", str(out), "--max-memory", str(512 * MiB)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["kind"] == "document"


# ------------------------------------------------------------------ HTML


def test_a_page_of_empty_comments_is_read(tmp_path: Path, good: str) -> None:
    """30k empty comments: the xpath over them was one C call of about a minute, past any timer."""
    page = tmp_path / "comments.html"
    page.write_text("<html><body><p>关于推进社区治理的通知</p>" + "<!---->" * 30_000 + "</body></html>", encoding="utf-8")
    records = list(pipeline.run([good, str(page), good], limits=Limits(seconds=5)))
    assert _kinds(records) == ["document", "document", "document"]
    assert "社区治理" in records[1].text


def test_a_run_of_empty_scripts_is_read(tmp_path: Path, good: str) -> None:
    """Removing each script glued its tail to the text before it: quadratic."""
    page = tmp_path / "scripts.html"
    page.write_text("<html><body>" + "<script></script>\n" * 80_000 + "<p>关于推进社区治理的通知</p></body></html>",
                    encoding="utf-8")
    records = list(pipeline.run([good, str(page), good], limits=Limits(seconds=5)))
    assert _kinds(records) == ["document", "document", "document"]
    assert "社区治理" in records[1].text


def test_a_paragraph_over_the_parser_limit_is_too_long_not_too_deep(tmp_path: Path) -> None:
    data = ("<html><body><p>" + "a" * (10 * 1000 * 1000 + 1000) + "</p></body></html>").encode()
    with pytest.raises(IngestError) as caught:
        ingest.read_bytes(data, source="big.html", kind="html")
    assert caught.value.code == "ingest.too_long" and "text" in caught.value.reason


# ------------------------------------------------------------------ PDF


# PDFs are built with the hostile benchmark's builders (bench/hostile_bench.py): the same files in both.


def test_a_compressed_text_stream_bomb_is_refused_while_drawn() -> None:
    data = bench.pdf(bench.one_page(bench.stream(b"BT /F1 1 Tf 10 800 Td (" + b"A" * 300_000 + b") Tj ET")))
    assert len(data) < 5000
    with pytest.raises(IngestError) as caught:
        ingest.read_bytes(data, source="bomb.pdf", kind="pdf")
    assert caught.value.code == "ingest.too_long" and "characters" in caught.value.reason


def test_forms_drawing_forms_are_refused_before_the_time_limit(tmp_path: Path, good: str) -> None:
    levels = 10
    objects = bench.one_page(bench.stream(b"/X%d Do" % (levels - 1), compress=False),
                             b"<< /Font << /F1 4 0 R >> /XObject << /X%d %d 0 R >> >>" % (levels - 1, 6 + levels - 1))
    form = b" /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources "
    objects.append(bench.stream(b"BT /F1 12 Tf 10 10 Td (AAAA) Tj ET", form + b"<< /Font << /F1 4 0 R >> >>",
                                compress=False))
    for k in range(1, levels):
        objects.append(bench.stream(b"/X%d Do " % (k - 1) * 10, form + b"<< /XObject << /X%d %d 0 R >> >>" % (k - 1, 5 + k),
                                    compress=False))
    bomb = tmp_path / "forms.pdf"
    bomb.write_bytes(bench.pdf(objects))
    records = list(pipeline.run([good, str(bomb), good], limits=Limits(seconds=3)))
    assert _kinds(records) == ["document", "problem", "document"]
    assert records[1].code == "ingest.too_large" and "content" in records[1].reason


def test_a_flood_of_operators_is_refused() -> None:
    data = bench.pdf(bench.one_page(bench.stream(b"BT /F1 12 Tf 10 800 Td (A) Tj ET " + b"q Q " * (5 * MiB // 4))))
    with pytest.raises(IngestError) as caught:
        ingest.read_bytes(data, source="ops.pdf", kind="pdf", limits=Limits(seconds=0))
    assert caught.value.code == "ingest.too_large" and "4,194,304 bytes of content" in caught.value.reason


def test_pages_are_counted_before_any_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from pdfplumber import page as plumber_page

    n = 3000
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n, bench.FONT]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * n
    made = []
    init = plumber_page.Page.__init__

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(1)
        init(self, *args, **kwargs)

    monkeypatch.setattr(plumber_page.Page, "__init__", counting)
    with pytest.raises(IngestError) as caught:
        ingest.read_bytes(bench.pdf(objects), source="pages.pdf", kind="pdf", limits=Limits(max_pages=10))
    assert not made  # no page object was made to find out
    assert caught.value.code == "ingest.too_large" and "3,000 pages" in caught.value.reason


def test_a_page_count_the_tree_understates_still_stops_at_the_limit() -> None:
    """The stated /Count is only a first check: the pages are walked, no further than the limit."""
    n = 40
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count 1 >>", bench.FONT]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * n
    with pytest.raises(IngestError) as caught:
        ingest.read_bytes(bench.pdf(objects), source="lying.pdf", kind="pdf", limits=Limits(max_pages=10))
    assert caught.value.code == "ingest.too_large" and "over 10 pages" in caught.value.reason


# ------------------------------------------------------------------ DOCX


def test_a_docx_paragraph_over_max_chars_is_refused_before_python_docx_builds_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqzl_docs.ingest import docx as docx_reader

    src = FIXTURES / "docx" / "004_ea63ed9e1561bada.docx"
    body = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
            + ("<w:r><w:t>" + "社区" * 500 + "</w:t></w:r>") * 200 + "</w:p></w:body></w:document>").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, body if info.filename == "word/document.xml" else zin.read(info.filename))

    def not_built(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("python-docx built the document")

    monkeypatch.setattr(docx_reader.docx, "Document", not_built)
    with pytest.raises(IngestError) as caught:
        ingest.read_bytes(buf.getvalue(), source="long.docx", kind="docx", limits=Limits(max_chars=50_000))
    assert caught.value.code == "ingest.too_long" and "50,000" in caught.value.reason


# ------------------------------------------------------------------ streams


def test_a_long_json_lines_line_is_refused_without_being_held(tmp_path: Path) -> None:
    path = tmp_path / "replies.jsonl"
    with open(path, "wb") as f:
        f.write(json.dumps({"id": 1, "reply": GOOD_TEXT}, ensure_ascii=False).encode() + b"\n")
        f.write(b'{"id": 2, "reply": "' + b"a" * (24 * MiB) + b'"}\n')
        f.write(json.dumps({"id": 3, "reply": GOOD_TEXT}, ensure_ascii=False).encode() + b"\n")
    limits = Limits(max_bytes=MiB)
    tracemalloc.start()
    try:
        tasks = list(pipeline.tasks([str(path)], limits))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * MiB  # one line of 24 MiB was never held whole
    records = list(pipeline.run([str(path)], limits=limits))
    assert _kinds(records) == ["document", "problem", "document"]
    assert records[1].code == "ingest.too_large" and records[1].source == f"{path}#L2"
    assert f"{24 * MiB + 23:,}-byte line" in records[1].reason  # the line's real size, counted while skipping
    assert len(tasks) == 3


class _Endless(io.RawIOBase):
    """``yes``: an endless stream, which must never be read to its end."""

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[no-untyped-def]
        n = len(buf)
        buf[:n] = (b"y\n" * (n // 2 + 1))[:n]
        return n

    def readall(self) -> bytes:
        raise AssertionError("read an endless stream to its end")

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            raise AssertionError("read an endless stream to its end")
        return super().read(size)


def test_endless_standard_input_stops_one_byte_past_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = _Endless()

    monkeypatch.setattr(sys, "stdin", Stdin())
    records = list(pipeline.run(["-"], limits=Limits(max_bytes=100_000)))
    assert len(records) == 1 and records[0].code == "ingest.too_large" and records[0].source == "<stdin>"
    assert "reading stopped" in records[0].reason


def test_standard_input_that_stalls_is_held_to_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, "关于社区治理的通知\n".encode())  # then nothing more, and no end

    class Stdin:
        buffer = os.fdopen(read_end, "rb")

    watchdog = threading.Timer(60, os.close, [write_end])  # turns a hang (the old behaviour) into a failure
    watchdog.start()
    monkeypatch.setattr(sys, "stdin", Stdin())
    try:
        records = list(pipeline.run(["-"], limits=Limits(seconds=1)))
    finally:
        if watchdog.is_alive():
            watchdog.cancel()
            os.close(write_end)
        Stdin.buffer.close()
    assert len(records) == 1 and records[0].code == "ingest.timeout" and records[0].source == "<stdin>"


def test_a_fifo_named_directly_is_read_no_further_than_the_limit(tmp_path: Path, good: str) -> None:
    fifo = tmp_path / "endless.txt"
    os.mkfifo(fifo)

    def writer() -> None:
        try:
            with open(fifo, "wb") as f:
                for _ in range(30):
                    f.write(("社区治理。" * 2000 + "\n").encode())
        except (BrokenPipeError, OSError):
            pass  # the reader stopped, as it should

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    records = list(pipeline.run([good, str(fifo), good], limits=Limits(max_bytes=100_000)))
    thread.join(timeout=30)
    assert _kinds(records) == ["document", "problem", "document"]
    assert records[1].code == "ingest.too_large" and str(fifo) in records[1].reason
