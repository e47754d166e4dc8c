"""The keyword table is built from jieba once and then read from a cache file, with the same words;
the C matcher (where it was built) finds the words the Python one does."""

from __future__ import annotations

import marshal
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqzl_docs.extract import keywords

needs_c = pytest.mark.skipif(keywords._Words is None, reason="the C matcher was not built (no C compiler)")


def test_the_c_matcher_is_built_from_its_source() -> None:
    """A module built from an older source is not used; where one is there, ``make install`` builds it anew."""
    import importlib.util

    if importlib.util.find_spec("sqzl_docs.extract._rmm") is None:
        pytest.skip("the C matcher was not built (no C compiler)")
    assert keywords._Words is not None, "sqzl_docs/extract/_rmm.c changed since the module was built: make install"


def _clear() -> None:
    for cached in (keywords._packed, keywords._weights, keywords._table):
        cached.cache_clear()


def test_cached_table_is_the_built_table_and_a_damaged_cache_is_rebuilt(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    built = keywords._build()
    assert keywords._unpack(keywords._pack(built)) == built
    assert sum(v is None for v in built.values()) >= 5  # stop words: matched, not counted

    monkeypatch.setenv("SQZL_CACHE_DIR", str(tmp_path))
    path = keywords._cache_file()
    assert path is not None and path.parent == tmp_path
    for damaged in (b"not a table", marshal.dumps(("a\nb", b"\0" * 8, ())), marshal.dumps((1, 2))):
        path.write_bytes(damaged)
        _clear()
        try:
            assert keywords._weights() == built
            assert keywords._unpack(marshal.loads(path.read_bytes())) == built  # written again
            _clear()
            assert keywords._weights() == built  # and read from the file
            if keywords._Words is not None:
                assert len(keywords._table()) == len(built)
        finally:
            _clear()


def test_extraction_does_not_load_jieba_when_the_table_is_cached() -> None:
    import subprocess

    keywords._weights()  # the cache exists from here on
    code = ("import sys; import sqzl_docs; d = sqzl_docs.parse_text('关于社区治理的复函\\n一、下一步工作打算\\n"
            "（一）持续开展社区减负行动。到2022年，社区工作事项减少30%以上。'); "
            "print(d.commitments[0].keywords, any(m.startswith('jieba') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("] ")[1].strip() == "False" and "社区" in out.split("] ")[0]


def _plain_words(text: str) -> list[str]:
    """Reverse maximum matching without the memo of runs."""
    import re

    known = keywords._weights()
    out: list[str] = []
    for run in re.findall(r"[\u4e00-\u9fff]{2,}", text):
        end = len(run)
        while end >= 2:
            size = next((n for n in (4, 3, 2) if n <= end and run[end - n:end] in known), 0)
            if not size:
                end -= 1
                continue
            out.append(run[end - size:end])
            end -= size
    return out


def test_words_of_remembered_runs_are_the_words_found_afresh(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from .conftest import corpus_files

    monkeypatch.setattr(keywords, "_table", lambda: None)  # the Python matcher
    text = corpus_files()[0].read_text(encoding="utf-8")
    keywords._RUN_WORDS.clear()
    for start in range(0, len(text) - 200, 97):
        piece = text[start:start + 200]
        assert keywords.words(piece) == _plain_words(piece)
        assert keywords.words(piece) == _plain_words(piece)  # now from the memo


def _python_keywords(text: str, monkeypatch) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    with monkeypatch.context() as m:
        m.setattr(keywords, "_table", lambda: None)
        return keywords.words(text), keywords.keywords(text, 8)


@needs_c
def test_the_c_matcher_finds_the_words_of_the_python_one(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from .conftest import corpus_files

    for path in corpus_files():
        text = path.read_text(encoding="utf-8")
        for start in range(0, len(text), 1500):
            piece = text[start:start + 1500]
            assert (keywords.words(piece), keywords.keywords(piece, 8)) == _python_keywords(piece, monkeypatch)


# Ideographs of common words, stop words, others, and what splits runs (㐀 and 〇 are outside the range).
_PIECES = list("社区减负工作事项服务设施民政局的了和是在一二三四年月日㐀〇𠀀 ，。、\nA1") + ["社区工作者", "公共服务", "治理"]


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_the_c_matcher_on_mixed_text(text: str) -> None:
    with pytest.MonkeyPatch.context() as m:
        m.setattr(keywords, "_table", lambda: None)
        python = keywords.words(text), keywords.keywords(text, 8)
    assert (keywords.words(text), keywords.keywords(text, 8)) == python


@needs_c
def test_the_c_table_holds_the_words_of_the_python_one() -> None:
    table, weights = keywords._table(), keywords._weights()
    assert table is not None and len(table) == len(weights)
    samples = list(weights)[::997] + ["C++", "B超", "AA制", "社区", "的的", "社", "社区工作者们", "", "A", "𠀀𠀀",
                                      "\0社", "，。", "社区\n"]
    for word in samples:
        assert (word in table) == (word in weights), word


@needs_c
def test_the_c_table_weighs_words_as_the_python_one() -> None:
    table, weights = keywords._table(), keywords._weights()
    assert table is not None
    for word in ("社区", "服务设施", "我们", "的的", "社区工作者"):
        if word in weights:
            assert table.weight(word) == weights[word]
        else:
            with pytest.raises(KeyError):
                table.weight(word)
    assert any(table.weight(w) is None for w in ("我们", "进行", "工作") if w in weights)


@needs_c
def test_the_c_matcher_takes_k_as_a_slice_does(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    text = "社区减负工作事项服务设施社区治理公共服务社区工作者，社区减负"
    for k in range(-9, 10):
        assert keywords.keywords(text, k) == _python_k(text, k, monkeypatch)


def _python_k(text: str, k: int, monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    with monkeypatch.context() as m:
        m.setattr(keywords, "_table", lambda: None)
        return keywords.keywords(text, k)


_START_WORDS = ("市", "市民政", "区县", "中国", "中国人民银行", "国家", "𠀀社", "A", "社区工作者", "区")


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES + ["市民", "中国人", "国", "区县市", "𠀀"]), max_size=40).map("".join),
       st.lists(st.lists(st.sampled_from(_START_WORDS), max_size=6, unique=True).map(tuple), min_size=1, max_size=3))
def test_word_starts_in_c_are_those_of_the_patterns(text: str, lists: list[tuple[str, ...]]) -> None:
    """Per list, every position where one of its words starts, overlaps included (中国人民银行: 中国 and
    中国人民银行 at one position, given once), as the look-ahead patterns find them; lists sharing words,
    an empty list; latin-1, UCS-2 and UCS-4 texts."""
    assert keywords._Starts is not None
    assert keywords._Starts(tuple(lists)).find(text) == keywords._word_starts_patterns(tuple(lists))(text)


@needs_c
def test_word_starts_in_c_on_the_corpus() -> None:
    from sqzl_docs.extract import departments

    from .conftest import corpus_files

    d = departments._data()
    lists = (tuple(departments._first_words()[0]), tuple(d["named_group_endings"]), tuple(d["open_role_cues"]),
             tuple(d["open_post_titles"]))
    for path in corpus_files():
        text = path.read_text(encoding="utf-8")
        assert keywords.word_starts(lists)(text) == keywords._word_starts_patterns(lists)(text)
