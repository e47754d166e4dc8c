"""What a newcomer meets first: the commands in a real terminal, output beside input, Ctrl-C and
other signals, a full disk, bad paths, old .doc files, half-scanned PDFs (issue 14)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sqzl_docs
from sqzl_docs import pipeline
from sqzl_docs.cli import app
from sqzl_docs.errors import IngestError

from .conftest import BULK, FIXTURES, RAW, ROOT

runner = CliRunner()
SQZL = str(Path(sys.executable).parent / "sqzl")
SEED = RAW / "000_a8a32f0196afeb02.txt"


def in_terminal(argv: list[str], cwd: Path, timeout: float = 600, env: dict | None = None) -> tuple[int, str]:
    """Run a command with a pseudo-terminal as its stdin, stdout and stderr (as a user's shell does);
    returns its exit code and everything it printed."""
    master, slave = os.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env,
                            start_new_session=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every writer of the terminal has closed it
            break
        if not data:
            break
        chunks.append(data)
    code = proc.wait(timeout)
    os.close(master)
    return code, b"".join(chunks).decode("utf-8", "replace")


def lines_of(path: Path) -> list[dict]:
    data = path.read_bytes()
    assert not data or data.endswith(b"\n"), "the output ends in the middle of a record"
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


# --- in a terminal ---------------------------------------------------------------------------------

def test_extract_in_a_terminal_shows_progress_and_writes_everything(tmp_path: Path) -> None:
    assert os.isatty(os.openpty()[0])
    code, shown = in_terminal([SQZL, "extract", str(RAW), "-o", str(tmp_path / "out.jsonl")], tmp_path)
    assert code == 0, shown
    assert "Traceback" not in shown and "Error" not in shown, shown
    records = lines_of(tmp_path / "out.jsonl")
    assert len(records) == len(list(RAW.glob("*.txt")))
    assert f"{len(records)} ok, 0 failed" in shown


def test_track_add_in_a_terminal(tmp_path: Path) -> None:
    code, shown = in_terminal([SQZL, "track", "add", str(tmp_path / "t.db"), str(SEED)], tmp_path)
    assert code == 0, shown
    assert "Traceback" not in shown and "1 added" in shown, shown


@pytest.mark.slow
def test_make_demo_in_a_terminal(tmp_path: Path) -> None:
    """The README's first command, as a newcomer types it (the suite runs after `make install`)."""
    if not (ROOT / ".venv" / "bin" / "sqzl").exists() or not shutil.which("make"):
        pytest.skip("make demo needs the repository's .venv")
    code, shown = in_terminal(["make", "-s", "demo", f"OUT={tmp_path}"], ROOT)
    assert code == 0, shown[-3000:]
    assert "Traceback" not in shown, shown[-3000:]
    assert "0 failed" in shown and "documents, 0 problems" in shown
    assert (tmp_path / "tracker.db").is_file()
    assert len(lines_of(tmp_path / "corpus.jsonl")) >= len(list(RAW.glob("*.txt")))


# --- output next to input ------------------------------------------------------------------------

def test_output_inside_the_input_folder_is_not_read(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / SEED.name)
    out = tmp_path / "out.jsonl"
    for _ in range(2):  # the second run finds the first run's output in the folder
        result = runner.invoke(app, ["extract", str(tmp_path), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert [Path(r["source"]).name for r in lines_of(out)] == [SEED.name]
        assert "is this run's output: it is not read as an input" in result.stderr


def test_output_that_is_an_input_is_refused_and_not_truncated(tmp_path: Path) -> None:
    data = tmp_path / "r.jsonl"
    data.write_text(json.dumps({"text": SEED.read_text(encoding="utf-8")}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    before = data.read_bytes()
    result = runner.invoke(app, ["extract", str(data), "-o", str(data)])
    assert result.exit_code == 2
    assert "input file is output file" in result.stderr
    assert data.read_bytes() == before
    link = tmp_path / "same.jsonl"  # the same file under another name
    os.link(data, link)
    assert runner.invoke(app, ["extract", str(link), "-o", str(data)]).exit_code == 2
    assert data.read_bytes() == before


def test_output_in_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(SEED), "-o", str(tmp_path / "missing" / "out.jsonl")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- signals, full disk, internal errors ---------------------------------------------------------

def _big_input(tmp_path: Path, copies: int = 6) -> Path:
    if not BULK.is_file():
        pytest.skip("the bulk replies are not beside the repository")
    big = tmp_path / "big.jsonl"
    with big.open("wb") as f:
        for _ in range(copies):
            f.write(BULK.read_bytes())
    return big


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code", "jobs"), [(signal.SIGINT, 130, "1"), (signal.SIGTERM, 143, "2"),
                                                     (signal.SIGHUP, 129, "1")])
def test_a_signal_leaves_whole_records_and_says_how_far_it_got(tmp_path: Path, signum: int, code: int,
                                                              jobs: str) -> None:
    big, out = _big_input(tmp_path), tmp_path / "out.jsonl"
    proc = subprocess.Popen([SQZL, "extract", str(big), "-o", str(out), "-j", jobs],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while (not out.exists() or out.stat().st_size < 100_000) and proc.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signum)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == code, err
    records = lines_of(out)
    assert 0 < len(records) < 6 * 2813
    assert f"holds {len(records)} whole records" in err, err
    assert "Traceback" not in err, err


def _limit_file_size(limit: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then write() fails with EFBIG, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_leaves_whole_records_and_a_clear_message(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = subprocess.run([SQZL, "extract", str(RAW), "-o", str(out)], capture_output=True, text=True,
                          preexec_fn=_limit_file_size(150_000), timeout=300)
    assert proc.returncode == 3, proc.stderr
    assert "cannot write the output" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    records = lines_of(out)
    assert 0 < len(records) < len(list(RAW.glob("*.txt")))
    assert f"holds {len(records)} whole records" in proc.stderr


def test_an_unexpected_error_is_not_exit_code_1(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from sqzl_docs import cli

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(pipeline, "write_json", broken)
    monkeypatch.setattr(sys, "argv", ["sqzl", "extract", "-q", str(SEED)])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 70
    assert "internal error: RuntimeError: a bug" in capsys.readouterr().err


def test_nohup_keeps_sighup_ignored() -> None:
    from sqzl_docs.interrupt import terminate_on_signals

    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with terminate_on_signals():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, previous)


# --- what lies in a folder -----------------------------------------------------------------------

def test_a_symlink_loop_and_a_fifo_in_a_folder_each_get_a_record(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    shutil.copy(SEED, tmp_path / "sub" / SEED.name)
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    records = list(pipeline.run([str(tmp_path)]))
    codes = sorted((Path(r.source).name, r.code) for r in records if not isinstance(r, sqzl_docs.Document))
    assert codes == [("dangling.txt", "ingest.unreadable"), ("loop", "ingest.unreadable"),
                     ("pipe.txt", "ingest.not_regular")]
    assert [Path(r.source).name for r in records if isinstance(r, sqzl_docs.Document)] == [SEED.name]


def test_an_unreadable_subfolder_gets_a_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    shutil.copy(SEED, tmp_path / SEED.name)
    if os.geteuid() != 0:  # as a user, take the permission away for real
        (tmp_path / "locked").chmod(0)
    else:  # root reads everything: make scandir answer as it does for a user
        real = os.scandir

        def scandir(path: str):  # type: ignore[no-untyped-def]
            if str(path).endswith("locked"):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        records = list(pipeline.run([str(tmp_path)]))
    finally:
        (tmp_path / "locked").chmod(stat.S_IRWXU)
    problems = [r for r in records if not isinstance(r, sqzl_docs.Document)]
    assert [(Path(p.source).name, p.code) for p in problems] == [("locked", "ingest.unreadable")]
    assert "Permission denied" in problems[0].reason
    assert len(records) == 2


def test_parse_on_a_folder_is_an_ingest_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as err:
        sqzl_docs.parse(tmp_path)
    assert err.value.code == "ingest.is_directory" and "pipeline.run" in err.value.reason


# --- old .doc files and half-scanned PDFs --------------------------------------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def test_an_old_doc_file_says_what_it_is_and_how_to_convert_it(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQZL_SOFFICE", "none")
    (tmp_path / "old.doc").write_bytes(OLE)
    (record,) = pipeline.run([str(tmp_path)])  # a .doc in a folder is not skipped silently
    assert record.code == "ingest.legacy_format"
    assert "Word 97–2003" in record.reason and "--convert-to docx" in record.reason


def test_an_old_doc_file_is_read_through_libreoffice_when_there_is_one(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The optional path, with a stand-in for soffice that 'converts' to a known DOCX."""
    docx = sorted((FIXTURES / "docx").glob("*.docx"))[0]
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\n# soffice --headless ... --convert-to docx --outdir DIR FILE\n"
                    "while [ $# -gt 1 ]; do [ \"$1\" = --outdir ] && out=$2; shift; done\n"
                    f"cp '{docx}' \"$out/in.docx\"\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("SQZL_SOFFICE", str(fake))
    (tmp_path / "old.doc").write_bytes(OLE)
    (record,) = pipeline.run([str(tmp_path / "old.doc")])
    assert isinstance(record, sqzl_docs.Document), record
    assert record.text == sqzl_docs.parse(docx).text
    assert any("converted by LibreOffice" in w.reason for w in record.warnings)


def test_a_pdf_of_scanned_pages_with_a_line_of_text_each_is_flagged(tmp_path: Path) -> None:
    from io import BytesIO

    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    png = BytesIO()
    from PIL import Image  # reportlab depends on pillow

    Image.new("L", (400, 560), 200).save(png, format="PNG")
    png.seek(0)
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    for page in range(4):
        c.drawImage(ImageReader(png), 50, 200, width=500, height=560)
        c.setFont("STSong-Light", 12)
        c.drawString(50, 150, ["关于加强社区治理工作的通知", "各区县人民政府：", "现将有关事项通知如下。",
                               "请认真贯彻执行。"][page])
        c.showPage()
    c.save()
    doc = sqzl_docs.parse(path)
    assert any("OCR" in w.reason and "characters of text per page" in w.reason for w in doc.warnings)
    assert not any("OCR" in w.reason for w in sqzl_docs.parse(sorted((FIXTURES / "pdf").glob("*.pdf"))[0]).warnings)


# --- small things ---------------------------------------------------------------------------------

def test_a_pdf_whose_only_text_is_a_page_number_is_a_scan(tmp_path: Path) -> None:
    """Found while writing the test above: a running line on every page was dropped, leaving no lines,
    and the reader failed with IndexError instead of saying that OCR is needed."""
    from io import BytesIO

    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    png = BytesIO()
    Image.new("L", (40, 56), 200).save(png, format="PNG")
    png.seek(0)
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    for page in range(3):
        c.drawImage(ImageReader(png), 50, 150, width=500, height=600)
        c.drawString(290, 40, f"- {page + 1} -")
        c.showPage()
    c.save()
    (record,) = pipeline.run([str(path)])
    assert record.code == "ingest.no_text_layer", record


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"sqzl {sqzl_docs.__version__}"


def test_summary_counts_commitments_and_progress(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    runner.invoke(app, ["extract", "-q", str(RAW), "-o", str(out)])
    result = runner.invoke(app, ["summary", str(out)])
    docs = [sqzl_docs.Document.model_validate(r) for r in lines_of(out)]
    commitments = sum(len(d.commitments) for d in docs)
    progress = sum(len(d.progress) for d in docs)
    assert commitments and progress
    assert f"{commitments} commitments, {progress} progress statements" in result.stdout
