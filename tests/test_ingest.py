"""Readers: each format and encoding gives the document's text, blocks and page metadata."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import sqzl_docs
from sqzl_docs import ingest
from sqzl_docs.ingest.encoding import decode

from .conftest import FIXTURES, RAW, assert_spans_hold

SEED_000 = RAW / "000_a8a32f0196afeb02.txt"
SEED_004 = RAW / "004_ea63ed9e1561bada.txt"
TRADITIONAL = ("臺北市政府函。主旨：有關本市社區發展協會辦理社區治理工作之補助案，請查照。說明：一、依據本府"
               "民國一百一十年十一月二十二日府社字第1103005678號函辦理。二、本案補助經費請於期限內檢據核銷。")


def test_utf8_text(tmp_path: Path) -> None:
    doc = sqzl_docs.parse(SEED_000)
    assert doc.reader == "txt" and doc.encoding == "utf-8"
    assert doc.text == SEED_000.read_text(encoding="utf-8")
    assert len(doc.sha256) == 64 and doc.doc_id == doc.sha256[:16]


def test_utf8_bom_is_detected_and_stripped() -> None:
    doc = sqzl_docs.parse(FIXTURES / "txt" / "000_utf8_bom.txt")
    assert doc.encoding == "utf-8-sig"
    assert doc.text == SEED_000.read_text(encoding="utf-8")


def test_gb18030_is_detected_not_assumed() -> None:
    doc = sqzl_docs.parse(FIXTURES / "txt" / "004_gb18030.txt")
    assert doc.encoding == "gb18030"
    assert doc.text == SEED_004.read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["gbk", "gb2312", "gb18030"])
def test_gb_family_reads_back(tmp_path: Path, encoding: str) -> None:
    text = "重庆市民政局关于市政协五届四次会议第0836号提案的复函。社区工作事项由165项缩减为56项。" * 3
    path = tmp_path / "doc.txt"
    path.write_bytes(text.encode(encoding))
    assert sqzl_docs.parse(path).text == text


def test_big5_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "tw.txt"
    path.write_bytes(TRADITIONAL.encode("big5"))
    doc = sqzl_docs.parse(path)
    assert doc.encoding == "big5"
    assert doc.text == TRADITIONAL


def test_crlf_becomes_newline() -> None:
    text, _ = decode("一、总体要求\r\n（一）目标\r\n".encode("utf-8"), source="x")
    assert text == "一、总体要求\n（一）目标\n"


# ------------------------------------------------------------------ HTML


def test_gov_cn_page_main_text_and_metadata_table() -> None:
    doc = sqzl_docs.parse(FIXTURES / "html" / "gov_50_guobanfa1997_11.html")
    meta = {f.name: f for f in doc.metadata}
    assert meta["doc_number"].value == "国办发〔1997〕11号"
    assert meta["issuer"].value == "国务院办公厅"
    assert meta["written"].date.isoformat() == "1997-04-08"
    assert meta["index_no"].value.startswith("000014349/")
    assert meta["title"].value == "国务院办公厅转发民政部关于清理整顿社会团体意见的通知"
    for field in meta.values():  # every value is shown in context
        assert field.span is not None and doc.text[field.span.start:field.span.end] == field.value
    assert "清理整顿社会团体" in doc.text
    assert "window.print" not in doc.text and "sendmail" not in doc.text
    assert doc.structure.title_text == "国务院办公厅转发民政部关于清理整顿社会团体意见的通知"
    assert doc.structure.closing.date_value.isoformat() == "1997-04-08"


def test_local_portal_page_drops_navigation_and_widgets() -> None:
    doc = sqzl_docs.parse(FIXTURES / "html" / "jiangxia_reply_004_gb18030.html")
    assert doc.reader == "html" and doc.encoding == "gb18030"
    for furniture in ("您当前的位置", "互动交流", "字号", "分享到", "【打印】", "版权所有", "ICP备", "_hmt"):
        assert furniture not in doc.text, furniture
    meta = {f.name: f.value for f in doc.metadata}
    assert meta["published"] == "2022-10-31" and meta["written"] == "2022-06-13"
    assert meta["title"] == "对区六届政协一次会议第130号提案的答复"
    assert "将165项社区工作事项缩减为56项" in doc.text
    assert doc.text.rstrip().endswith("武汉市江夏区民政局\n2022年6月13日")


@pytest.mark.parametrize("path", sorted((FIXTURES / "html").glob("*.html")), ids=lambda p: p.name)
def test_every_html_fixture_has_title_and_sections(path: Path) -> None:
    doc = sqzl_docs.parse(path)
    assert doc.structure.title_text
    assert doc.structure.sections
    assert_spans_hold(doc)


# ------------------------------------------------------------------ PDF


def test_pdf_pages_running_numbers_and_joined_lines() -> None:
    doc = sqzl_docs.parse(FIXTURES / "pdf" / "000_a8a32f0196afeb02.pdf")
    assert doc.reader == "pdf"
    assert max(b.page for b in doc.blocks) == 10
    assert not re.search(r"^\s*[—-]\s*\d+\s*[—-]\s*$", doc.text, re.M), "page numbers left in the text"
    # lines broken by the page width are joined back into one paragraph
    assert "进一步提升老旧小区治理水平。二是注重分类施策" in doc.text
    paragraph = next(b for b in doc.blocks if "肖丹委员" in doc.text[b.start:b.end])
    assert paragraph.page == 2
    assert doc.structure.closing.date_value.isoformat() == "2021-05-11"
    assert doc.structure.closing.date_repaired


@pytest.mark.parametrize("stem", ["000_a8a32f0196afeb02", "004_ea63ed9e1561bada"])
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_pdf_and_docx_give_the_sections_of_the_text_version(corpus_docs, stem: str, fmt: str) -> None:
    def headings(doc: sqzl_docs.Document) -> list[str]:
        out = []
        for s in doc.structure.sections:
            out.append(re.sub(r"\s", "", s.heading.text))
            out.extend(re.sub(r"\s", "", c.heading.text) for c in s.children)
        return out

    other = sqzl_docs.parse(FIXTURES / fmt / f"{stem}.{fmt}")
    assert headings(other) == headings(corpus_docs[stem])
    assert other.structure.title_text == corpus_docs[stem].structure.title_text


# ------------------------------------------------------------------ DOCX


def test_docx_paragraphs_and_tables_in_order() -> None:
    doc = sqzl_docs.parse(FIXTURES / "docx" / "000_a8a32f0196afeb02.docx")
    assert doc.reader == "docx"
    kinds = [b.kind for b in doc.blocks]
    assert "table_row" in kinds and kinds.index("table_row") > kinds.index("paragraph")
    row = next(b for b in doc.blocks if b.kind == "table_row")
    assert row.cells and all(doc.text[c.start:c.end] == c.text for c in row.cells)
    assert doc.text.index("抄送") > doc.text.index("2021511")  # the 版记 table comes after the signature
    assert [s.marker for s in doc.structure.sections] == ["一、", "二、"]


def test_docx_written_with_python_docx(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("关于加强社区治理的通知")
    d.add_paragraph("各区县民政局：")
    d.add_paragraph("一、总体要求")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "事项", "数量"
    table.cell(1, 0).text, table.cell(1, 1).text = "证明事项", "23项"
    d.add_paragraph("二、工作措施")
    path = tmp_path / "notice.docx"
    d.save(str(path))
    doc = sqzl_docs.parse(path)
    assert doc.text == "关于加强社区治理的通知\n各区县民政局：\n一、总体要求\n事项\t数量\n证明事项\t23项\n二、工作措施\n"
    assert [b.row for b in doc.blocks if b.kind == "table_row"] == [0, 1]
    assert doc.structure.addressee == "各区县民政局"


# ------------------------------------------------------------------ JSON Lines


def test_jsonl_one_document_per_line(tmp_path: Path) -> None:
    path = tmp_path / "replies.jsonl"
    lines = [{"id": "1", "subject": "小区电梯", "reply": "网友：您好，现将有关情况回复如下：已维修。", "replied_at": "2019-11-08"},
             {"id": "2", "text": "关于社区减负的答复。"}]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    docs = list(ingest.read(path))
    assert [d.source for d in docs] == [f"{path}#id=1", f"{path}#id=2"]
    assert docs[0].text.startswith("网友") and docs[0].reader == "jsonl"
    assert {f.name: f.value for f in docs[0].metadata}["published"] == "2019-11-08"
