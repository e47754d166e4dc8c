"""Bad input never stops a batch: each bad file is an error record naming the file and the reason."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sqzl_docs import IngestError, parse, pipeline
from sqzl_docs.cli import app
from sqzl_docs.limits import DEFAULT as LIMITS
from sqzl_docs.limits import Limits

from .conftest import FIXTURES, RAW


def _scanned_pdf(path: Path) -> None:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    png = io.BytesIO()
    # a tiny grey image made by hand: a PNG of 4x4 pixels
    import struct
    import zlib

    raw = b"".join(b"\x00" + b"\x80\x80\x80" * 4 for _ in range(4))
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    png.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
              + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    png.seek(0)
    c = canvas.Canvas(str(path))
    c.drawImage(ImageReader(png), 50, 50, 400, 600)
    c.showPage()
    c.save()


def _encrypted_pdf(path: Path) -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    enc = pdfencrypt.StandardEncryption("secret", ownerPassword="owner", canPrint=0)
    c = canvas.Canvas(str(path), encrypt=enc)
    c.drawString(100, 700, "community governance")
    c.save()


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (LIMITS.max_unzipped_bytes + 10))


CASES = {
    "empty.txt": (lambda p: p.write_bytes(b""), "ingest.empty"),
    "blank.txt": (lambda p: p.write_bytes(b"  \n\t \n"), "ingest.empty"),
    "image.txt": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8), "ingest.binary"),
    "noise.txt": (lambda p: p.write_bytes(bytes([0x00, 0xFF, 0xFE, 0x81, 0x30]) * 400), "ingest.binary"),
    "undecodable.txt": (lambda p: p.write_bytes(b"\xff\xfe\xfd\xfc\x80\x81" * 300), "ingest.undecodable"),
    "broken.pdf": (lambda p: p.write_bytes((FIXTURES / "pdf" / "004_ea63ed9e1561bada.pdf").read_bytes()[:3000]),
                   "ingest.corrupt_pdf"),
    "notapdf.pdf": (lambda p: p.write_bytes("这不是PDF".encode()), "ingest.corrupt_pdf"),
    "scanned.pdf": (_scanned_pdf, "ingest.no_text_layer"),
    "locked.pdf": (_encrypted_pdf, "ingest.encrypted_pdf"),
    "broken.docx": (lambda p: p.write_bytes((FIXTURES / "docx" / "004_ea63ed9e1561bada.docx").read_bytes()[:5000]),
                    "ingest.corrupt_docx"),
    "plain.docx": (lambda p: p.write_bytes("不是文档".encode()), "ingest.corrupt_docx"),
    "bomb.docx": (_zip_bomb, "ingest.too_large"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_raises_typed_error_with_reason(tmp_path: Path, name: str) -> None:
    make, code = CASES[name]
    path = tmp_path / name
    make(path)
    with pytest.raises(IngestError) as info:
        parse(path)
    assert info.value.code == code
    assert str(path) in info.value.reason


def test_scanned_pdf_message_says_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    _scanned_pdf(path)
    with pytest.raises(IngestError, match="OCR"):
        parse(path)


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("社区" * 1000, encoding="utf-8")
    (record,) = pipeline.run([str(path)], limits=Limits(max_bytes=100))
    assert record.kind == "problem" and record.code == "ingest.too_large"


def test_batch_goes_on_and_loses_nothing(tmp_path: Path) -> None:
    """Every bad case in one batch with real documents: one error record each, every document kept."""
    for name, (make, _) in CASES.items():
        make(tmp_path / name)
    good = sorted(RAW.glob("00*.txt"))
    empty_dir = tmp_path / "nothing_here"
    empty_dir.mkdir()
    (empty_dir / "notes.csv").write_text("a,b\n")
    runner = CliRunner()
    args = ["extract", "-q", str(tmp_path), *map(str, good), str(empty_dir), str(tmp_path / "missing.txt")]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    problems = {Path(r["source"]).name: r for r in records if r["kind"] == "problem"}
    documents = [r for r in records if r["kind"] == "document"]
    assert sorted(Path(d["source"]).name for d in documents) == sorted(p.name for p in good)
    for name, (_, code) in CASES.items():
        assert problems[name]["code"] == code and problems[name]["stage"] == "ingest"
        assert problems[name]["reason"]
    assert problems["nothing_here"]["code"] == "ingest.no_documents"
    assert problems["missing.txt"]["code"] == "ingest.not_found"


def test_bad_jsonl_lines_are_records_and_good_lines_survive(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"id": 1, "reply": "您好，已收悉。"}\nnot json\n[1, 2]\n{"id": 4}\n'
                    '{"id": 5, "reply": "\\ud800孤立代理项"}\n', encoding="utf-8")
    records = list(pipeline.run([str(path)]))
    kinds = [r.kind for r in records]
    assert kinds == ["document", "problem", "problem", "problem", "document"]
    assert records[1].source.endswith("#L2") and records[1].code == "ingest.bad_jsonl"
    assert "孤立代理项" in records[4].text
