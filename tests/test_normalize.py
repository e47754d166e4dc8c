from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sqzl_docs.normalize import normalize

CHINESE_ISH = st.text(
    alphabet=st.sampled_from(list("二〇二一年十一月日号第〔〕【】[]（）()《》、；：，。0123456789０１２３４５６７８９％ 　\n\t\r\u200b\ufeff㎡①ＡＢabc渝民函府办发市区民政局﹝﹞…—")),
    max_size=200,
)


def _check(source: str) -> None:
    n = normalize(source)
    m = n.to_source
    assert len(m) == len(n.text) + 1
    assert m[-1] == len(source)
    assert all(0 <= m[i] <= m[i + 1] for i in range(len(m) - 1)), "offset map must be monotone"
    assert all(m[i] < len(source) for i in range(len(n.text)))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_offset_map_is_monotone_and_in_range_for_any_text(source: str) -> None:
    _check(source)


@settings(max_examples=300, deadline=None)
@given(CHINESE_ISH)
def test_offset_map_on_chinese_like_text(source: str) -> None:
    _check(source)


def test_full_width_digits_and_letters_become_half_width() -> None:
    assert normalize("２０２１年第０８３６号ＡＢ").text == "2021年第0836号AB"


def test_meaningful_punctuation_is_kept() -> None:
    text = "渝民〔2020〕70号《方案》（一）、；："
    assert normalize(text).text == text


def test_spaces_inside_chinese_dropped_between_ascii_kept() -> None:
    assert normalize("2021 年  11 月").text == "2021年11月"
    assert normalize("2020-07-03 09:28").text == "2020-07-03 09:28"


def test_line_breaks_collapse_to_one_newline() -> None:
    assert normalize("一、总体\n\n   \n（一）目标").text == "一、总体\n（一）目标"


def test_ideographic_indent_after_sentence_end_is_a_paragraph_break() -> None:
    assert normalize("回复如下：　　一、开发商存在的问题　　1.开发商").text == "回复如下：\n一、开发商存在的问题\n1.开发商"
    assert normalize("标　　题").text == "标题"


def test_compatibility_characters_expand_and_map_back() -> None:
    n = normalize("面积100㎡")
    assert n.text == "面积100m2"
    assert n.source_range(5, 7) == (5, 6)


def test_zero_width_and_bom_are_dropped() -> None:
    n = normalize("\ufeff社\u200b区")
    assert n.text == "社区"
    assert n.source_range(0, 2) == (1, 4)


def test_small_form_brackets_fold_to_tortoise_shell() -> None:
    assert normalize("长发﹝2019﹞2号").text == "长发〔2019〕2号"


def _plain_map(source: str) -> list[int]:
    """The offset map as one entry per character, built the plain way (as before the runs)."""
    from sqzl_docs.normalize import _char_table, _special, _whitespace

    out: list[int] = []
    pos = 0
    for m in _special().finditer(source):
        s, e = m.span()
        out.extend(range(pos, s))
        piece = m.group()
        repl = _whitespace(source, s, e, piece) if piece[0].isspace() else _char_table().get(piece, "")
        out.extend([s] * len(repl))
        pos = e
    out.extend(range(pos, len(source)))
    return out + [len(source)]


@settings(max_examples=300, deadline=None)
@given(CHINESE_ISH, st.integers(-2, 250))
def test_offset_map_reads_like_a_list(source: str, pos: int) -> None:
    from bisect import bisect_left

    n = normalize(source)
    m = n.to_source
    plain = _plain_map(source)
    assert len(plain) == len(m)
    assert [m[i] for i in range(len(m))] == plain == list(m)
    assert m[-1] == plain[-1]
    assert n.from_source(pos) == bisect_left(plain, pos, 0, len(n.text))


@settings(max_examples=300, deadline=None)
@given(CHINESE_ISH, st.integers(0, 210), st.integers(0, 210))
def test_source_range_reads_the_map_as_a_list(source: str, start: int, end: int) -> None:
    n = normalize(source)
    plain = _plain_map(source)
    start, end = min(start, len(n.text)), min(end, len(n.text) + 1)
    expected = (plain[start], plain[start]) if end <= start else (plain[start], plain[end - 1] + 1)
    assert n.source_range(start, end) == expected


def test_paragraphs_joined_by_a_space_and_an_indent_become_lines() -> None:
    """Reports exported as one line keep each paragraph's indent after a plain space (`` 　　`` or
    `` \u2003\u2003``): that is a line break, heading lines included (seen in the Shanghai reports
    f06/f07; the text here is the 2023 national report's opening, x018)."""
    from sqzl_docs.normalize import normalize

    for indent in ("\u3000\u3000", "\u2003\u2003"):
        source = f"各位代表： {indent}一、过去一年和五年工作回顾 {indent}2022年是极为重要的一年。"
        assert normalize(source).text.split("\n") == ["各位代表：", "一、过去一年和五年工作回顾", "2022年是极为重要的一年。"]
    assert normalize("社区\u3000\u3000治理").text == "社区治理"  # an indent inside a line is not a break
