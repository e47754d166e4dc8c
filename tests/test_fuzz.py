"""Fuzzing every reader and the extractors: random bytes under every suffix, government-like text in
every Chinese encoding, random HTML, hostile JSON Lines (lone surrogates, broken UTF-8, wrong types),
and truncated, bit-flipped and spliced PDFs and DOCX made from the fixtures (including DOCX whose zip
is intact but whose XML is damaged).

For every input: nothing raises out of the batch, every document's spans hold, every record can be
written as UTF-8 JSON, and every failure is an error record naming the file with a known code.

The CI budget is small. A longer run multiplies it (and prints how many inputs were tried)::

    SQZL_FUZZ_SCALE=50 .venv/bin/python -m pytest tests/test_fuzz.py --hypothesis-show-statistics
"""

from __future__ import annotations

import pytest

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqzl_docs import pipeline
from sqzl_docs.errors import CODES
from sqzl_docs.limits import Limits
from sqzl_docs.models import Document, Problem

from .conftest import FIXTURES, assert_spans_hold

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out

SCALE = float(os.environ.get("SQZL_FUZZ_SCALE", "1"))
LIMITS = Limits(seconds=20)  # a mutated file that stalls becomes a record, not a hung test


def budget(n: int) -> settings:
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _batch(name: str, data: bytes) -> list[Document | Problem]:
    """Write the bytes as a file, run a batch of it between two good documents, check every record."""
    with tempfile.TemporaryDirectory(prefix="sqzl-fuzz-") as tmp:
        good = Path(tmp) / "good.txt"
        good.write_text("关于推进社区治理的通知\n各区县：\n到2022年底完成56项。\n市民政局\n2021年5月11日\n", encoding="utf-8")
        path = Path(tmp) / name
        path.write_bytes(data)
        sink = io.StringIO()
        pipeline.write_json([str(good), str(path), str(good)], sink, limits=LIMITS)
        lines = sink.getvalue().splitlines()
        sink.getvalue().encode("utf-8")  # every record can be written as UTF-8
        records = [pipeline_record(json.loads(line)) for line in lines]
    assert records[0].kind == records[-1].kind == "document", "a good document was lost"
    middle = records[1:-1]
    assert middle, "the fuzzed file left no record"
    for record in middle:
        if isinstance(record, Problem):
            assert record.code in CODES, record.code
            assert str(path) in record.source and record.reason
        else:
            assert str(path) in record.source
            assert_spans_hold(record)
    return middle


def pipeline_record(obj: dict) -> Document | Problem:
    return Document.model_validate(obj) if obj["kind"] == "document" else Problem.model_validate(obj)


SUFFIXES = st.sampled_from([".txt", ".html", ".htm", ".pdf", ".docx", ".jsonl"])


@budget(150)
@given(suffix=SUFFIXES, data=st.binary(max_size=3000))
def test_random_bytes_under_any_suffix(suffix: str, data: bytes) -> None:
    _batch("fuzz" + suffix, data)


PIECES = st.sampled_from([
    "关于", "的通知", "市民政局", "区人社局", "到", "2022", "年", "月", "日", "底前", "〔", "〕", "[", "]", "【", "】",
    "（", "）", "《", "》", "号", "渝民发", "项", "万", "亿", "元", "%", "以上", "、", "，", "。", "：", "\n", "　　",
    "一、", "（一）", "1.", "一是", "联系电话:", "89188250", "①", "\x00", "\x1b", "\r", "\u2028", "\ufeff", "𠀀",
])
GOV_TEXT = st.lists(PIECES, max_size=80).map("".join)


@budget(150)
@given(text=GOV_TEXT, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16"]))
def test_government_like_text_in_every_encoding(text: str, encoding: str) -> None:
    _batch("fuzz.txt", text.encode(encoding, errors="replace"))


TAGS = st.sampled_from(["div", "p", "table", "tr", "td", "span", "script", "style", "br", "h1", "ul", "li", "iframe"])


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    parts = ["<html><head><meta charset='utf-8'><title>通知</title></head><body>"]
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            parts.append(f"<{draw(TAGS)} class='{draw(st.sampled_from(['content', 'nav', 'footer', 'x']))}'>")
        elif kind == 1:
            parts.append(f"</{draw(TAGS)}>")
        elif kind == 2:
            parts.append(draw(GOV_TEXT))
        else:
            parts.append(draw(st.sampled_from(["<!--", "-->", "<![CDATA[", "&#0;", "&#xD800;", "&nbsp;", "<td>索引号：",
                                               "<", ">", "\x00", "<?xml version='1.0'?>"])))
    return "".join(parts)


@budget(150)
@given(page=html_pages())
def test_random_html(page: str) -> None:
    _batch("fuzz.html", page.encode("utf-8", errors="surrogatepass"))


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                       max_size=3), max_leaves=8)
SURROGATE_TEXT = st.text(alphabet=st.characters(codec=None, categories=["Cs", "Lo", "Nd", "Po", "Cc"]), max_size=60)


@st.composite
def jsonl_lines(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.integers(0, 4))
        if kind == 0:  # a reply whose text has lone surrogates (written as \ud800 escapes)
            obj = {"id": draw(st.integers()), "reply": draw(SURROGATE_TEXT) + "到2022年完成", "title": draw(SURROGATE_TEXT)}
            lines.append(json.dumps(obj).encode())
        elif kind == 1:  # any JSON at all
            lines.append(json.dumps(draw(JSON_VALUES)).encode())
        elif kind == 2:  # bytes that are not UTF-8 or not JSON
            lines.append(draw(st.binary(max_size=80)).replace(b"\n", b" "))
        elif kind == 3:  # a record that claims to be sqzl output
            lines.append(json.dumps({"kind": draw(st.sampled_from(["document", "problem"])), "source": "x",
                                     "text": draw(SURROGATE_TEXT), "stage": "ingest", "code": "c",
                                     "reason": draw(SURROGATE_TEXT)}).encode())
        else:
            lines.append(b"")
    return b"\n".join(lines)


@budget(150)
@given(data=jsonl_lines())
def test_hostile_json_lines(data: bytes) -> None:
    records = _batch("fuzz.jsonl", data)
    expected = sum(1 for line in data.split(b"\n") if line.strip())
    assert len(records) == (expected or 1)  # one record per line; a file of blank lines is one error record
    if not expected:
        assert records[0].code == "ingest.empty"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """Truncate, flip bits, overwrite, delete or duplicate ranges of a real file."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not out:
            break
        kind = draw(st.integers(0, 4))
        i = draw(st.integers(0, len(out) - 1))
        if kind == 0:
            del out[i:]
        elif kind == 1:
            for _ in range(draw(st.integers(1, 16))):
                j = draw(st.integers(0, len(out) - 1))
                out[j] ^= 1 << draw(st.integers(0, 7))
        elif kind == 2:
            out[i:i + 8] = draw(st.binary(min_size=1, max_size=8))
        elif kind == 3:
            del out[i:i + draw(st.integers(1, 2000))]
        else:
            out[i:i] = out[i:i + draw(st.integers(1, 2000))]
    return bytes(out)


PDF = _fixture("pdf/004_ea63ed9e1561bada.pdf")
DOCX = _fixture("docx/004_ea63ed9e1561bada.docx")


@budget(60)
@given(data=mutations(PDF))
def test_mutated_pdf(data: bytes) -> None:
    _batch("mutated.pdf", data)


@budget(80)
@given(data=mutations(DOCX))
def test_mutated_docx(data: bytes) -> None:
    _batch("mutated.docx", data)


def _rezip(data: bytes, member: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, content if info.filename == member else src.read(info))
    return out.getvalue()


with zipfile.ZipFile(io.BytesIO(DOCX)) as _zf:
    DOCUMENT_XML = _zf.read("word/document.xml")
    DOCX_MEMBERS = sorted(_zf.namelist())


@budget(80)
@given(member=st.sampled_from(DOCX_MEMBERS), data=st.data())
def test_docx_with_damaged_xml_inside_an_intact_zip(member: str, data: st.DataObject) -> None:
    with zipfile.ZipFile(io.BytesIO(DOCX)) as zf:
        original = zf.read(member)
    damaged = data.draw(mutations(original)) if original else b"<"
    _batch("damaged_xml.docx", _rezip(DOCX, member, damaged))
