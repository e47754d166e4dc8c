"""Hostile input: each attack of issue 16, built here in a temporary directory, run through
``sqzl extract GOOD ATTACK GOOD`` at the default limits; wall time, peak memory (the largest
process: ``sqzl`` or one of its workers) and the record each file got.

Run: .venv/bin/python bench/hostile_bench.py [--json bench/results/hostile.json] [--cases a,b]
     [--cap SECONDS] [--src DIR]

``--src DIR`` runs the ``sqzl_docs`` package found in DIR (e.g. an older checkout, for a before/after
table); ``--cap`` stops a case after that many seconds (and its address space is held to
``--cap-memory`` bytes, so a before-run cannot take the machine's memory).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
GOOD = "关于推进社区治理的通知\n各区县：\n一、到2022年底，全市社区服务设施覆盖率达到100%。\n市民政局\n2021年5月11日\n"

# ------------------------------------------------------------------ builders


def html_comments(d: Path) -> Path:
    """A 1 MB page of empty comments."""
    p = d / "comments.html"
    p.write_text("<html><body><p>关于社区治理的通知</p>" + "<!---->" * (MiB // 7) + "</body></html>", encoding="utf-8")
    return p


def html_scripts(d: Path) -> Path:
    """920 KB of empty script elements."""
    p = d / "scripts.html"
    p.write_text("<html><body><p>关于社区治理的通知</p>" + "<script></script>\n" * (920_000 // 18) + "</body></html>",
                 encoding="utf-8")
    return p


def html_paragraph(d: Path) -> Path:
    """One 12 MB paragraph (depth 3)."""
    p = d / "paragraph.html"
    p.write_text("<html><body><p>" + "社区治理" * (12 * MiB // 12) + "</p></body></html>", encoding="utf-8")
    return p


def pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given object bodies (object 1 is the catalog), with a correct xref table (tests/test_hostile.py
    builds its PDFs with these too)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def stream(data: bytes, extra: bytes = b"", compress: bool = True) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def one_page(content: bytes, resources: bytes = b"<< /Font << /F1 4 0 R >> >>") -> list[bytes]:
    return [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources " + resources + b" /Contents 5 0 R >>",
            FONT, content]


def pdf_text_bomb(d: Path) -> Path:
    """A few KB of PDF whose compressed page content draws 3.5 million characters."""
    p = d / "text_bomb.pdf"
    p.write_bytes(pdf(one_page(stream(b"BT /F1 1 Tf 10 800 Td (" + b"A" * (3500 * 1000) + b") Tj ET"))))
    return p


def pdf_form_bomb(d: Path) -> Path:
    """Forms drawing forms ten times over, ten levels deep (10^9 draws of one line of text)."""
    p = d / "form_bomb.pdf"
    levels = 10
    objects = one_page(stream(b"/X%d Do" % (levels - 1), compress=False),
                      b"<< /Font << /F1 4 0 R >> /XObject << /X%d %d 0 R >> >>" % (levels - 1, 6 + levels - 1))
    form = b" /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources "
    objects.append(stream(b"BT /F1 12 Tf 10 10 Td (AAAAAAAAAA) Tj ET", form + b"<< /Font << /F1 4 0 R >> >>",
                          compress=False))
    for k in range(1, levels):
        objects.append(stream(b"/X%d Do " % (k - 1) * 10, form + b"<< /XObject << /X%d %d 0 R >> >>" % (k - 1, 5 + k),
                              compress=False))
    p.write_bytes(pdf(objects))
    return p


def pdf_q_operators(d: Path) -> Path:
    """20 MiB of ``q Q`` operators in one compressed content stream."""
    p = d / "q_ops.pdf"
    p.write_bytes(pdf(one_page(stream(b"BT /F1 12 Tf 10 800 Td (A) Tj ET " + b"q Q " * (20 * MiB // 4)))))
    return p


def pdf_many_pages(d: Path) -> Path:
    """300,000 pages (each empty)."""
    p = d / "pages.pdf"
    n = 300_000
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n,
               FONT]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * n
    p.write_bytes(pdf(objects))
    return p


def docx_paragraph(d: Path) -> Path:
    """A DOCX of a few hundred KB holding 100 MB of text in one paragraph."""
    p = d / "paragraph.docx"
    src = ROOT / "tests" / "fixtures" / "docx" / "004_ea63ed9e1561bada.docx"
    body = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
            + ("<w:r><w:t>" + "a" * 100 + "</w:t></w:r>") * 1_000_000 + "</w:p></w:body></w:document>").encode()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, body if info.filename == "word/document.xml" else zin.read(info.filename))
    return p


def _jsonl_line(d: Path, size: int, name: str) -> Path:
    p = d / name
    with open(p, "wb") as f:
        f.write(json.dumps({"id": 1, "reply": GOOD}, ensure_ascii=False).encode() + b"\n")
        f.write(b'{"id": 2, "reply": "')
        block = b"a" * MiB
        for _ in range(size // MiB):
            f.write(block)
        f.write(b'"}\n')
        f.write(json.dumps({"id": 3, "reply": GOOD}, ensure_ascii=False).encode() + b"\n")
    return p


def jsonl_200mb_line(d: Path) -> Path:
    """A JSON Lines file with one 200 MB line between two good ones."""
    return _jsonl_line(d, 200 * MiB, "line200m.jsonl")


def jsonl_1gb_line(d: Path) -> Path:
    """A JSON Lines file with one 1 GB line between two good ones."""
    return _jsonl_line(d, 1024 * MiB, "line1g.jsonl")


def dev_zero(d: Path) -> str:
    """/dev/zero named on the command line (a device says its size is 0)."""
    return "/dev/zero"


def fifo_endless(d: Path) -> str:
    """A FIFO named on the command line, with a writer that never stops (``yes > fifo``)."""
    p = d / "endless.txt"
    os.mkfifo(p)
    return str(p)


def stdin_endless(d: Path) -> str:
    """``yes | sqzl extract -``."""
    return "-"


CASES: dict[str, Callable[[Path], Path | str]] = {
    f.__name__: f for f in (html_comments, html_scripts, html_paragraph, pdf_text_bomb, pdf_form_bomb,
                            pdf_q_operators, pdf_many_pages, docx_paragraph, jsonl_200mb_line, jsonl_1gb_line,
                            dev_zero, fifo_endless, stdin_endless)}

# ------------------------------------------------------------------ running


def run_case(name: str, tmp: Path, cap: float, cap_memory: int, src: Path | None) -> dict:
    d = tmp / name
    d.mkdir()
    good = d / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    started = time.perf_counter()
    target = CASES[name](d)
    built = time.perf_counter() - started
    size = os.path.getsize(target) if isinstance(target, Path) else None
    out = d / "out.jsonl"
    paths = [str(target)] if name == "stdin_endless" else [str(good), str(target), str(good)]
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    cmd = [sys.executable, "-m", "sqzl_docs", "extract", "-q", *paths, "-o", str(out)]

    def limit() -> None:
        os.setpgrp()
        if cap_memory:
            resource.setrlimit(resource.RLIMIT_AS, (cap_memory, cap_memory))

    writer = None
    stdin = subprocess.DEVNULL
    if name == "stdin_endless":
        writer = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
        stdin = writer.stdout
    elif name == "fifo_endless":
        writer = subprocess.Popen(["sh", "-c", f"exec yes > '{target}'"])
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=limit, cwd=d)
    killed = False
    deadline = started + cap
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if writer is not None:
        writer.kill()
        writer.wait()
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    records = []
    if out.exists():
        for line in out.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            records.append(r.get("code") or r["kind"])
    row = {"case": name, "what": (CASES[name].__doc__ or "").strip(), "input_bytes": size,
           "built_s": round(built, 2), "seconds": round(seconds, 2),
           "peak_mib": round(usage.ru_maxrss / 1024, 1), "killed_at_cap": killed,
           "exit": None if killed else os.waitstatus_to_exitcode(status), "records": records,
           "stderr_tail": stderr.strip().splitlines()[-1][-200:] if stderr.strip() else ""}
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--cap", type=float, default=300.0, help="stop a case after this many seconds")
    parser.add_argument("--cap-memory", type=int, default=6 * 1024 * MiB, help="address space of a case (bytes)")
    parser.add_argument("--src", type=Path, default=None, help="run the sqzl_docs package found in this directory")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="sqzl-hostile-") as tmp:
        for name in args.cases.split(","):
            row = run_case(name, Path(tmp), args.cap, args.cap_memory, args.src)
            rows.append(row)
            flag = " (stopped at the cap)" if row["killed_at_cap"] else ""
            print(f"{name:18} {row['seconds']:8.2f} s {row['peak_mib']:9.1f} MiB  {row['records']}{flag}",
                  file=sys.stderr, flush=True)
            shutil_rm(Path(tmp) / name)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"results": rows}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    worst = max(rows, key=lambda r: r["seconds"])
    print(f"slowest: {worst['case']} {worst['seconds']} s; "
          f"most memory: {max(r['peak_mib'] for r in rows)} MiB", file=sys.stderr)
    return 0


def shutil_rm(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
