"""Document structure on every corpus document and fixture; the seeds' section trees asserted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import sqzl_docs
from sqzl_docs.models import Section

from .conftest import assert_spans_hold, corpus_files, fixture_files


def tree(sections: list[Section]) -> list:
    return [(s.marker, s.heading.text, tree(s.children)) if s.children else (s.marker, s.heading.text)
            for s in sections]


@pytest.mark.parametrize("path", corpus_files() + fixture_files(), ids=lambda p: p.name)
def test_every_document_parses_and_every_span_holds(path: Path) -> None:
    doc = sqzl_docs.parse(path)
    assert doc.text.strip()
    assert assert_spans_hold(doc) > 0
    body = doc.structure.body
    assert body is not None and body.end > body.start
    for section in doc.structure.sections:
        assert body.start <= section.span.start <= section.span.end <= body.end


def test_seed_000_reply(corpus_docs) -> None:
    s = corpus_docs["000_a8a32f0196afeb02"].structure
    assert s.title_text == "重庆市民政局关于市政协五届四次会议第0836号提案的复函"
    assert s.addressee == "肖丹委员"
    assert s.closing.signature.text == "重庆市民政局"
    assert s.closing.date.text == "2021511"
    assert s.closing.date_value == dt.date(2021, 5, 11) and s.closing.date_repaired
    assert [(c.kind, c.value) for c in s.contacts] == [("person", "张艳婷"), ("phone", "89188250"),
                                                       ("postcode", "401121")]
    assert tree(s.sections) == [
        ("一、", "一、老旧社区治理推进情况", [
            ("(一)", "(一)强化党建引领老旧社区治理", [
                ("一是", "一是健全组织体系"), ("二是", "二是注重分类施策"), ("三是", "三是推动共治共建")]),
            ("(二)", "(二)推动物业管理融入社区治理"),
            ("(三)", "(三)深入推进城乡社区减负增效", [
                ("一是", "一是建立四张工作清单"), ("二是", "二是开展专项督查"), ("三是", "三是开展万能章治理")]),
            ("(四)", "(四)加大社区便民服务中心建设力度", [
                ("一是", "一是建立市级补助长效机制"), ("二是", "二是出台社区服务设施布点规划"),
                ("三是", "三是完善便民服务中心功能")]),
            ("(五)", "(五)大力培育社区社会组织")]),
        ("二、", "二、下一步工作打算", [
            ("(一)", "(一)强化社区人才队伍建设"), ("(二)", "(二)持续开展社区减负行动"),
            ("(三)", "(三)推广老旧小区治理经验"), ("(四)", "(四)推进社区综合服务设施建设"),
            ("(五)", "(五)实施培育发展社区社会组织专项行动"), ("(六)", "(六)着力提升社区服务专业化水平")]),
    ]
    meta = {f.name: f.value for f in corpus_docs["000_a8a32f0196afeb02"].metadata}
    assert meta["doc_number"] == "渝民函〔2021〕204号" and meta["index_no"] == "115000000092759914/2021-01562"


def test_seed_003_progress_report(corpus_docs) -> None:
    s = corpus_docs["003_bae5fa7c6a583b1e"].structure
    assert s.title_text.startswith("重庆市人民政府关于《重庆市人大常委会对〈")
    assert s.subtitle.text == "(2023年12月28日在市六届人大常委会第六次会议上)"
    assert s.addressee == "市人大常委会"
    assert s.closing.formula.text == "特此报告。"
    assert [sec.heading.text for sec in s.sections] == [
        "一、提高政治站位,闭环推进整改", "二、严格对标对表,逐项抓好落实", "三、坚持常态长效,持续提升城乡社区治理效能"]
    assert [len(sec.children) for sec in s.sections] == [3, 5, 5]
    second = s.sections[1].children
    assert [len(c.children) for c in second] == [3, 3, 3, 4, 0]
    assert second[3].children[3].heading.text == "四是推进智慧赋能"


def test_seed_004_reply(corpus_docs) -> None:
    s = corpus_docs["004_ea63ed9e1561bada"].structure
    assert s.title_text == "对区六届政协一次会议第130号提案的答复"
    assert s.closing.signature.text == "武汉市江夏区民政局"
    assert s.closing.date_value == dt.date(2022, 6, 13)
    assert [sec.heading.text for sec in s.sections] == [
        "一、加强职权监管,进一步为社区减负", "二、加强队伍建设,进一步优化专职化力量", "三、加强多方协同,进一步提升治理效能"]
    assert all(len(sec.children) == 3 and sec.children[0].style == "inline" for sec in s.sections)
    published = next(f for f in corpus_docs["004_ea63ed9e1561bada"].metadata if f.name == "published")
    assert published.date == dt.date(2022, 10, 31)


def test_seed_001_draft_announcement_signed_before_the_draft(corpus_docs) -> None:
    s = corpus_docs["001_c27b6c35cbead82c"].structure
    assert s.title_text == "关于公开征求《关于进一步提升城乡社区治理水平的若干意见(征求意见稿)》意见的公告"
    assert s.closing.signature.text == "池州市民政局"
    assert s.closing.date_value == dt.date(2020, 7, 3)
    assert ("person", "赵萍") in [(c.kind, c.value) for c in s.contacts]
    assert len(s.sections) >= 3  # the draft's own sections follow the announcement


def test_seed_002_experience_title_without_document_kind(corpus_docs) -> None:
    s = corpus_docs["002_78e5f35c9bba09e1"].structure
    assert s.title_text == "强化社区职能完善社区多元治理体系"
    assert any("当前位置" in b.text for b in s.boilerplate)
    assert s.sections[0].heading.text.startswith("一、探索构建统一社区基础信息平台")


def test_forwarding_notice_doc_number_and_salutation(corpus_docs) -> None:
    s = corpus_docs["x008_guobanfa1997_11_shetuan_qingli_zhengdun"].structure
    assert s.title_text == "国务院办公厅转发民政部关于清理整顿社会团体意见的通知"
    assert s.doc_number_line.text == "国办发〔1997〕11号"
    assert s.addressee == "各省、自治区、直辖市人民政府，国务院各部委、各直属机构"
    assert s.closing.date_value == dt.date(1997, 4, 8)  # Chinese numerals: 一九九七年四月八日


def test_citizen_reply_on_one_line(corpus_docs) -> None:
    s = corpus_docs["x021_taidibei_huifu_rongsheng_guoji_xiaoqu"].structure
    assert s.addressee == "网友“UU008593”"
    assert [sec.marker for sec in s.sections][:2] == ["一、", "二、"]
    assert s.sections[0].children[0].marker == "1."


def test_markdown_page_front_matter_and_markup_are_boilerplate(corpus_docs) -> None:
    doc = corpus_docs["x030_minzhengbu_dishouru_renkou_dongtai_jiance_fencengfenlei_jiuzhu_yijian"]
    assert doc.structure.title_text == "关于加强低收入人口动态监测做好分层分类社会救助工作的意见"
    assert doc.structure.boilerplate[0].text == "---"
    doc = corpus_docs["x011_zhonggong_guowuyuan_2021_jiceng_zhili_xiandaihua_yijian"]
    assert any(b.text.startswith("<div") for b in doc.structure.boilerplate)
    assert doc.structure.sections[0].heading.text == "一、总体要求"


def test_parse_text_builds_structure() -> None:
    doc = sqzl_docs.parse_text("关于加强社区治理的通知\n各区县：\n一、总体要求\n（一）目标。到2022年完成。\n二、措施\n"
                               "市民政局\n2021年5月11日\n", name="inline")
    s = doc.structure
    assert doc.source == "inline"
    assert tree(s.sections) == [("一、", "一、总体要求", [("（一）", "（一）目标")]), ("二、", "二、措施")]
    assert s.closing.signature.text == "市民政局" and s.closing.date_value == dt.date(2021, 5, 11)


class _CopyCounting(list):
    """A list that counts the elements it hands out in slices (copies)."""

    copied = 0

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        got = super().__getitem__(index)
        if isinstance(index, slice):
            _CopyCounting.copied += len(got)
        return got


def test_heading_lines_close_in_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of ``一、社区`` lines (issue 16): closing the sections must not copy the rest of the
    heading list for every heading (quadratic: 20,000 headings would copy 200 million entries)."""
    from sqzl_docs.structure import sections
    from sqzl_docs.structure.lines import split_lines

    close = sections._close
    monkeypatch.setattr(sections, "_close", lambda flat, end, text: close(_CopyCounting(flat), end, text))
    _CopyCounting.copied = 0
    text = "一、社区\n" * 20_000
    roots = sections.find_sections(text, split_lines(text), (0, len(text)))
    assert len(roots) == 20_000
    assert _CopyCounting.copied <= 2 * len(roots)
    assert [(n.start, n.end) for n in roots[:2]] == [(0, 4), (5, 9)] and roots[-1].end == len(text) - 1


def test_sections_close_at_the_next_heading_at_their_level_or_above() -> None:
    from sqzl_docs.structure import sections
    from sqzl_docs.structure.lines import split_lines

    text = "一、甲\n（一）乙\n1.丙\n（二）丁\n二、戊\n1.己\n"
    roots = sections.find_sections(text, split_lines(text), (0, len(text)))
    spans = {n.marker: text[n.start:n.end] for root in roots for n in [root, *sections_flat(root)]}
    assert spans["一、"] == "一、甲\n（一）乙\n1.丙\n（二）丁"
    assert spans["（一）"] == "（一）乙\n1.丙"
    assert spans["二、"] == "二、戊\n1.己"


def sections_flat(node):  # type: ignore[no-untyped-def]
    for child in node.children:
        yield child
        yield from sections_flat(child)


def test_numbering_that_runs_on_across_sections() -> None:
    """意见 often number their measures across sections: （一）（二） under 一、, then （三）（四） under 二、
    (seen in f15; this text follows the shape of the 2021 opinion on primary-level governance)."""
    import sqzl_docs

    doc = sqzl_docs.parse_text(
        "关于加强基层治理体系建设的意见\n一、总体要求\n（一）指导思想。坚持党的全面领导。\n（二）主要目标。力争用5年左右时间。\n"
        "二、完善基层治理体系\n（三）加强乡镇（街道）党组织建设。\n（四）健全基层群众自治制度。\n"
        "三、组织实施\n（五）压实各级党委责任。\n")
    tree = [(s.heading.text, [c.heading.text for c in s.children]) for s in doc.structure.sections]
    assert tree == [("一、总体要求", ["（一）指导思想", "（二）主要目标"]),
                    ("二、完善基层治理体系", ["（三）加强乡镇（街道）党组织建设", "（四）健全基层群众自治制度"]),
                    ("三、组织实施", ["（五）压实各级党委责任"])]
    assert [c.span.text for c in doc.commitments][-3:] == ["加强乡镇（街道）党组织建设", "健全基层群众自治制度",
                                                           "压实各级党委责任"]


def test_a_number_that_does_not_run_on_is_not_a_heading() -> None:
    import sqzl_docs

    doc = sqzl_docs.parse_text("关于社区治理的通知\n一、总体要求\n（一）指导思想。\n二、重点任务\n（五）这不是下一项。\n")
    assert [c.heading.text for c in doc.structure.sections[1].children] == []


def test_a_documents_dates_are_remembered_per_structure() -> None:
    """The extractors ask for a document's written date several times and it is computed once; a
    copy with another structure (which shares the document's memo, as it shares ``norm``) gets its own."""
    from sqzl_docs.extract import dates
    from sqzl_docs.models import Document, Structure
    from sqzl_docs.structure import analyse

    doc = analyse(Document.from_text("关于做好秋冬季防火工作的通知\n各单位：\n请做好防火工作。\n某某县应急管理局\n2021年10月8日"))
    assert dates.written_date(doc) == dates.document_date(doc) == dt.date(2021, 10, 8)
    bare = doc.model_copy(update={"structure": Structure()})
    assert dates.written_date(bare) is None and dates.document_date(bare) is None
    assert dates.written_date(doc) == dt.date(2021, 10, 8)
