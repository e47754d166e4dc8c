"""The shortcuts that try a grammar only where it can match find exactly what a plain scan finds."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sqzl_docs import lexicon
from sqzl_docs.extract import commitments, departments, header, metrics, progress, sentences
from sqzl_docs.grammar import docno, enumerators
from sqzl_docs.grammar.dates import (DATE_TOKEN, date_tokens, expression, expressions, form, forms,
                                     plain_expression)
from sqzl_docs.grammar.scan import blank_out, matches_at, search_holding
from sqzl_docs import normalize as normalizing
from sqzl_docs.normalize import normalize
from sqzl_docs.structure import closing, head, sections

from .conftest import corpus_files

# Pieces of replies and notices: dates (whole, compact, damaged), numbers, brackets, codes, sessions,
# lead-ins and punctuation, joined at random.
PIECES = ["2019年", "二〇一九年", "1998", "2021", "5月", "十一月", "11日", "二十二日", "号", "-", "/", ".", " ", "\n",
          "2021511", "〔", "〕", "[", "]", "（", "）", "《", "》", "。", "！", "!", "，", "：", ":", "渝民函", "国办发",
          "发", "字", "第", "0836", "204", "提案", "五届四次会议", "届", "次会议", "市政协", "现答复如下", "回复如下",
          "复如下", "经", "调查", "核实", "A类", "类别", "事项", "办理结果", "重庆市民政局", "您好", "社区", "一", "十",
          "1998年5月11日", "二〇二一年十一月二十二日", "2019-4-24", "2019.4.24", "1999511", "。2019年4月24日",
          "》王家河街道办事处2019年3月27日", "！重庆市民政局 2021年5月11日", "A2区街道", "B区", "区住房和城乡建设局", "约", "超过", "近", "万元", "%", "个百分点", "亿", "户", "a1", "#3", ":5",
          "国家发展改革委", "市委组织部", "、", "（局）", "主任", "副所长", "所长", "牵头", "负责", "办", "委", "服务中心",
          "管理局", "党政办", "房管所", "支队", "厅", "委员会", "部际联席会议", "领导小组", "工作专班", "指挥部", "3.", "（二）", "标题：", "文 号:", "发布日期：", "  ", "民政", "局", "街道", "办事处", "人民政府", "县", "镇", "工作组", "渝民〔202070", "国办发[2018]108号"]
DOCUMENTISH = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
# Pieces of date expressions: digits, numerals, cue words, separators, plan names, words around them.
DATE_PIECES = list("0123456789年月日号季度至到—―–-－~～/.  \u3000\n〇零一二三四五六七八九十两今去明本上近“”\"个第世纪代起"
                   "以来内底前末半之开始截止从自用时间左右力争，,、期规划后每") + [
    "十四五", "十三五", "七五", "上世纪", "上个世纪", "2021", "1999", "年底前", "截至", "20", "12", "2019-4-24",
    "个月", "个星期", "星期", "周", "天", "之内", "以内", "30日内", "3个月内", "两周内"]
DATELIKE = st.lists(st.sampled_from(DATE_PIECES), max_size=24).map("".join)
# Where the date grammar was tried before it was tried only where a match can start: at every
# character a date expression can open with.
_EVERY_DATE_START = re.compile(r"[到至截从\d〇零一二三四五六七八九十两今去明本上近“\"年]"
                               r"|自(?=[\d〇零一二三四五六七八九十今去明本上近“\"])"
                               r"|用(?=[\d一二三四五六七八九十两])|第(?=[一二三四1-4]季度)")


def _texts() -> list[str]:
    return [normalize(p.read_text(encoding="utf-8")).text for p in corpus_files()]


def _spans(matches: Iterator[re.Match[str]]) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


@functools.cache
def _plain_expression() -> re.Pattern[str]:
    """The date grammar without the look-ahead for where a date can start."""
    return re.compile(plain_expression())


def _check_date_tokens(text: str) -> None:
    assert _spans(date_tokens(text)) == _spans(DATE_TOKEN.finditer(text))


def _check_date_expressions(text: str) -> None:
    everywhere = matches_at(_plain_expression(), text, (m.start() for m in _EVERY_DATE_START.finditer(text)))
    assert _spans(expressions(text)) == _spans(everywhere)


def _check_department_names(text: str) -> None:
    def read(found, whole):  # type: ignore[no-untyped-def]
        return [(m.span(whole), m["level"], m["street"]) for m in found]
    for piece in [text] + text.split("\n")[:60]:  # lines: most hold no group word (the grammar without them)
        assert read(departments._matches(piece), "whole") == read(departments._pattern().finditer(piece), 0)
    grouped, plain = departments._pattern(), departments._pattern(grouped=False)
    assert [(m.span(), m.groupdict()) for m in grouped.finditer(text)] == \
        [(m.span(), m.groupdict()) for m in plain.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("abc", max_size=4), min_size=1, max_size=8), st.text("abc", max_size=30))
def test_grouped_alternation_is_the_alternation(words: list[str], text: str) -> None:
    """Words grouped by their first characters are tried in the order of the plain alternation:
    the same matches, whatever follows them (here: a ``c`` or the end, so backtracking is needed)."""
    for tail in ("(?=c|$)", "c?b", ""):
        grouped = re.compile(f"(?:{departments.grouped_alternation(words)}){tail}")
        plain = re.compile(f"(?:{lexicon.alternation(words)}){tail}")
        assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in plain.finditer(text)]


def _check_open_organs(text: str) -> None:
    listed, cued, _, _, post = departments._open_patterns()
    assert _spans(departments._listed(text)) == _spans(listed.finditer(text))
    assert _spans(departments._cued(text)) == _spans(cued.finditer(text))
    assert _spans(departments._posts(text)) == _spans(post.finditer(text))
    for pattern in departments._open_patterns()[2:4]:  # heading, duty: after each newline
        assert [m.span(1) for m in departments._at_line_starts(pattern, text)] == [m.span(1) for m in pattern.finditer(text)]
    assert _spans(departments._named_group_matches(text)) == _spans(departments._named_group_pattern().finditer(text))
    anchors = departments._anchors(text)  # the grammars not tried without their anchors could not match
    assert anchors.heading_ends or not departments._open_patterns()[2].search(text)
    assert anchors.national or not departments._national_open().search(text)


def _check_metadata_labels(text: str) -> None:
    for line in text.split("\n"):
        found = list(head._label_pattern().finditer(line))
        assert head._starts_with_label(line) == bool(found and found[0].start() <= 2), line
        key = re.sub(r"[\s:：]", "", line.strip(head.BULLETS + " "))  # the label a line holds alone, read plainly
        assert head._label_only(line) == (key if key in lexicon.metadata_labels() else None), line


def test_a_label_alone_on_a_line_is_read_as_plainly() -> None:
    lines = ["标题", "标　题：", "• 发 布 机 构 :", "信息索引号：：", "主题词分类", "主题词分类x", "：：: :", "", "发文字号：渝民函",
             "标题" + "：" * 40, "标 题 名 称 文 件", "文件名称" + " " * 30]
    _check_metadata_labels("\n".join(lines))


@functools.cache
def _plain_metric_pattern() -> re.Pattern[str]:
    """The metric grammar with its numbers read as they were before they were read whole (possessive)."""
    return re.compile(metrics._pattern().pattern.replace(metrics._NUMBER, r"\d+(?:\.\d+)?"))


def _check_metrics(text: str) -> None:
    assert _spans(metrics._matches(text)) == _spans(metrics._pattern().finditer(text))
    plain = [(m.span(), m.groups()) for m in _plain_metric_pattern().finditer(text)]
    assert [(m.span(), m.groups()) for m in metrics._pattern().finditer(text)] == plain


def _plain_sentence_patterns() -> list[tuple[re.Pattern[str], re.Pattern[str]]]:
    """The sentence patterns as they were written before each alternative opened with a literal."""
    c = commitments._cues()
    p = c["promise_cues"]
    alt = lexicon.alternation
    others = commitments.promise_cue_patterns()  # the cues are the same; the test is of the grouping of 将
    promise = re.compile(rf"(?P<jiang>{'|'.join(map(re.escape, p['future_markers']))})(?={alt(c['future_after_jiang'])})"
                         rf"|(?P<other>{'|'.join(others)})")
    particle = c["done_particle"]
    not_after = "".join(re.escape(ch) for ch in particle["not_after"])
    done = re.compile(rf"(?<=[\u4e00-\u9fff])(?<![{not_after}]){re.escape(particle['word'])}"
                      rf"(?!{alt(particle['not_before'])})")
    return [(promise, commitments._promise()), (done, progress._done_particle()),
            (re.compile(r"(以下|如下)(几个方面|几点|方面|工作|措施)?|[：:]$"), commitments._LEAD_IN),
            (re.compile(r"(您|你|居民|业主|网友|租户|申请人)[^，。]{0,6}(将|可)"), commitments._INDIVIDUALS)]


def _check_sentence_patterns(text: str) -> None:
    for plain, quick in _plain_sentence_patterns():
        for line in text.split("。"):
            expected, found = plain.search(line), quick.search(line)
            assert (found and found.span()) == (expected and expected.span()), (quick.pattern, line)


def _check_normalize_specials(text: str) -> None:
    chars = "".join(re.escape(c) for c in normalizing._char_table())
    plain = re.compile(rf"\s+|[{chars}\x00-\x08\x0e-\x1f\x7f]")
    assert _spans(normalizing._special().finditer(text)) == _spans(plain.finditer(text))


def test_the_spaces_listed_are_those_re_matches_as_whitespace() -> None:
    assert {c for c in map(chr, range(sys.maxunicode + 1)) if re.match(r"\s", c)} == set(normalizing._spaces())


def _sentences_by_plain_split(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Sentences as split before the sentence-end pattern opened with a character class."""
    units = "".join(re.escape(u) for u in lexicon.load("commitment_cues.yaml")["lost_break_after_count"])
    plain = re.compile(rf"[。！？!?\n]|(?<=\d[{units}])(?=(?:19|20)\d\d年)")
    out, pos = [], start
    for m in plain.finditer(text, start, end):
        out += [(x.start, x.end, x.text) for x in sentences._make(text, pos, m.start())]
        pos = m.end()
    if pos < end:
        out += [(x.start, x.end, x.text) for x in sentences._make(text, pos, end)]
    return out


def _check_sentences(text: str) -> None:
    for start, end in ((0, len(text)), (len(text) // 3, 2 * len(text) // 3)):
        found = [(x.start, x.end, x.text) for x in sentences.sentences(text, start, end)]
        assert found == _sentences_by_plain_split(text, start, end)
        # the sentences built only where a promise's words are: the same promising ones as all of them
        promising = [x for x in sentences.sentences(text, start, end) if commitments._may_promise(x.text)]
        quick = sentences.sentences(text, start, end, holding=commitments._promise_words())
        assert [x for x in quick if commitments._may_promise(x.text)] == promising


def _check_inline_items(text: str) -> None:
    plain = re.compile(rf"(?:^|(?<=[。；;：:！？\n]))(?P<marker>(?P<n>[{enumerators.CN_NUMERAL}]+)是)(?!是)")
    for pos in (0, len(text) // 3):
        found = [(m.span(), m["n"]) for m in enumerators.INLINE.finditer(text, pos)]
        assert found == [(m.span(), m["n"]) for m in plain.finditer(text, pos)]
        assert sections._numeral_before_is(text, pos, len(text)) or not found  # the section tree's shortcut


def _check_contact_lines(text: str) -> None:
    """A line is scanned for contacts only when it may hold one: never one that holds one."""
    for line in [text, *text.split("\n")]:
        assert closing._may_hold_contact(line) or not closing._contact().search(line), line


CONTACT_PIECES = ["联系人", "联 系 人", "联", "系", "人", "电话", "话", "邮编", "E-mail", "E - mail", "Email", "l", "传真", "地址",
                  "：", ":", " ", "\u3000", "\n", "。", "，", "张三", "023-6789", "400000", "如下", "答复"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(CONTACT_PIECES), max_size=20).map("".join))
def test_lines_that_may_hold_a_contact(text: str) -> None:
    _check_contact_lines(text)


def _check_inline_closing(text: str, pos: int, endpos: int) -> None:
    """The inline 落款 grammars searched with their mark taken find what the plain grammars (a look-behind
    for the mark, no look-ahead that rules positions out) find, with the same groups."""
    for fast, plain in ((closing._INLINE_DATE, closing.INLINE_DATE_PLAIN),
                        (closing._INLINE_SIGNED, closing.INLINE_SIGNED_PLAIN)):
        found = [(m.start() + 1, m.end(), m.span("date")) for m in closing._after_mark(fast, text, pos, endpos)]
        expected = [(m.start(), m.end(), m.span("date")) for m in re.compile(plain).finditer(text, pos, endpos)]
        assert found == expected


# Pieces of an organ's name and a date after a mark: numerals among the ideographs before the date, runs of
# ideographs near and over 24 long, spaces, 〇 (a numeral that is no ideograph of U+4E00–U+9FFF).
SIGNED_PIECES = ["。", "》", "！", "!", "街道办事处", "局", "市民政局" * 6, "一", "十", "两", "千", "〇", "二〇一九年三月二十七日",
                 "2019年3月27日", "2021511", "1", "2", "20", " ", "\u3000", "\n", "年", "月", "日", "附", "您", "网友"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(SIGNED_PIECES), max_size=16).map("".join))
@example("。" + "局" * 24 + "2019年3月27日")
@example("。" + "局" * 24 + "二〇一九年三月二十七日")
@example("。" + "局" * 25 + "2019年3月27日")
@example("。局一" + "局" * 22 + "二〇一九年三月二十七日")
@example("》十一局 〇〇一九年三月二十七日")
def test_inline_signed_dates_found_as_by_the_plain_grammar(text: str) -> None:
    _check_inline_closing(text, 0, len(text))


def _check_anchored_searches(text: str) -> None:
    cases = ((header._REPLY_LEAD_IN, "复如下", 61), (header._NUMBER, "号", None), (header._SESSION, "届", None))
    for pattern, anchor, reach in cases:
        expected = pattern.search(text)
        found = search_holding(pattern, text, anchor, reach)
        assert (found and found.span()) == (expected and expected.span())


def _doc_numbers_by_plain_search(text: str) -> list[tuple[int, int]]:
    """The document-number scan before the bracket-or-code shortcut: a search from 26 characters
    before each year until one finds nothing."""
    pattern, pos, out = docno.pattern(), 0, []
    for y in docno.YEAR_AT.finditer(text):
        if y.start() < pos:
            continue
        m = pattern.search(text, max(pos, y.start() - 26))
        if m is None:
            break
        out.append(m.span())
        pos = m.end()
    return out


@pytest.mark.parametrize("left_out", ["的由和与及任为", "的由和与及任为向在对将把被从以没是", "一", "一丁\u9fff", "龥\u9ffe", "a、的",
                                      "".join(c for c in lexicon.load("departments.yaml")["open_not_inside"] if len(c) == 1)])
def test_ideographs_except_is_the_look_ahead_form(left_out: str) -> None:
    """The departments grammar's one-class form of an ideograph that is none of some characters
    matches the same characters as the look-ahead form it replaced."""
    quick = re.compile(lexicon.ideographs_except(left_out))
    plain = re.compile(rf"(?:(?![{re.escape(left_out)}])[\u4e00-\u9fff])")
    for c in map(chr, range(0x3000, 0xA100)):
        assert bool(quick.fullmatch(c)) == bool(plain.fullmatch(c)), c


@pytest.mark.parametrize("text", _texts(), ids=lambda t: t[:12])
def test_shortcuts_on_the_corpus(text: str) -> None:
    _check_date_tokens(text)
    _check_date_expressions(text)
    _check_department_names(text)
    _check_open_organs(text)
    _check_metadata_labels(text)
    _check_metrics(text)
    _check_sentence_patterns(text)
    _check_normalize_specials(text)
    _check_sentences(text)
    _check_inline_items(text)
    _check_contact_lines(text)
    for pos, endpos in ((0, len(text)), (len(text) // 3, len(text)), (1, 2 * len(text) // 3)):
        _check_inline_closing(text, pos, endpos)
    _check_anchored_searches(text)
    _check_anchored_searches(text[:800])
    assert _spans(docno.find(text)) == _doc_numbers_by_plain_search(text)


@settings(max_examples=300, deadline=None)
@given(DOCUMENTISH, st.integers(0, 200), st.integers(0, 200))
def test_shortcuts_on_document_like_text(text: str, a: int, b: int) -> None:
    _check_date_tokens(text)
    _check_department_names(text)
    _check_open_organs(text)
    _check_metadata_labels(text)
    _check_metrics(text)
    _check_inline_closing(text, 0, len(text))
    _check_inline_closing(text, min(a, b, len(text)), min(max(a, b), len(text)))
    _check_contact_lines(text)
    _check_anchored_searches(text)
    assert _spans(docno.find(text)) == _doc_numbers_by_plain_search(text)


SENTENCE_PIECES = ["一是", "二是", "十二是", "是", "；", "：", "一", "二", "2021年", "165项", "3个", "20", "2", "万", "。", "\n", "！", "项", "将", "将继续", "要", "确保", "力争", "了", "为了", "了解", "已经", "完成了", "以下", "如下", "方面",
                   "：", ":", "您", "居民", "可", "到2022年", "前", "，", "。", "社区", "工作", "负责", "牵头", "不起",
                   "拟", "计划于", "计划单列", "争取", "争取到的", "确保年底前", "将由", "至", "  ", "\u3000"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(SENTENCE_PIECES), max_size=20).map("".join))
@example("全年建成服务站165项2021年开始推进。共3个2020年起，项2021年完成，已完成了。")
@example("已建成165项\n2021年将继续。到2022年完成80%2023年底前完成")
def test_sentence_patterns_find_what_their_plain_forms_found(text: str) -> None:
    _check_sentence_patterns(text)
    _check_sentences(text)
    _check_inline_items(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" \t\n\r\u3000\u00a0\u2003\x00\x07\x1f\x7f①㎡Ａａ１，。社区\u200b\ufeff", max_size=30))
def test_normalisation_finds_the_characters_its_plain_pattern_found(text: str) -> None:
    _check_normalize_specials(text)


@settings(max_examples=1000, deadline=None)
@given(DATELIKE)
@example("1、关于3、4月，12、1月份3个工作日内3个月内一个星期内到位到2022年至今从今年起截止到年底前")
@example("到“十四五”期间至十四五期间从上世纪90年代自2018年起到近三年来至用5年时间到第一季度")
def test_date_grammar_tried_where_a_date_can_start(text: str) -> None:
    _check_date_expressions(text)
    _check_date_expressions(text.replace("年", "年内"))
    for m in expressions(text + "起"):  # the form read from the group closed last, or after a cue
        assert [f for f in forms().values() if m.start(f.name) >= 0] == [form(m)]


@settings(max_examples=300, deadline=None)
@given(DOCUMENTISH, st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), max_size=8))
def test_blank_out_is_the_character_list_fill(text: str, ranges: list[tuple[int, int]]) -> None:
    ranges = [(min(s, len(text)), min(e, len(text))) for s, e in ranges]  # offsets into the text, as callers give
    chars = list(text)
    for s, e in ranges:
        chars[s:e] = "□" * (e - s)
    assert blank_out(text, ranges) == "".join(chars)


def test_guarded_grammars_keep_their_groups() -> None:
    """A grammar behind the look-ahead for where it can start keeps every group's name and number
    (form() and resolve() read dates by group number and name)."""
    assert expression().groupindex == _plain_expression().groupindex
    assert metrics._guarded().groupindex == metrics._pattern().groupindex


DOC_NUMBER_PIECES = ["〔", "〕", "[", "]", "（", "）", "【", "2018", "1949", "2050", "20", "1", "0", "号", "第", "发", "函",
                     "渝民", "国办", "的", "年", "a", " ", "社区居委会工作", "根据", "。", "12", "345", "6"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(DOC_NUMBER_PIECES), max_size=30).map("".join))
@example("根据渝民〔202070和国办发﹝2018﹞108号")
@example("社区居委会工作社区居委会工作社区居委会工作发201923号（2016年）渝民〔2018〕〔2018〕3号")
def test_document_numbers_found_where_a_code_ends(text: str) -> None:
    """docno.find (the grammar matched only where a number's code can end) finds what the grammar's own
    scan finds."""
    assert _spans(docno.find(text)) == [m.span() for m in docno.pattern().finditer(text)]



def test_the_promise_words_open_every_promise_cue() -> None:
    """The quick test for promising sentences (``commitments._promise_words``) lists the cue words by
    hand: every alternative of the promise grammar must open with one of them, or the quick test would
    drop sentences that promise."""
    words = commitments._promise_words()
    future = commitments._cues()["promise_cues"]["future_markers"]
    for alternative in [*map(re.escape, future), *commitments.promise_cue_patterns()]:
        cue = re.sub(r"\\(.)", r"\1", alternative.split("(?", 1)[0])  # the literal word it opens with
        assert cue and words.fullmatch(cue), alternative
