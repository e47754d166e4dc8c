"""The keyword table is built from jieba once and then read from a cache file, with the same words."""

from __future__ import annotations

import marshal
import sys

from sqzl_docs.extract import keywords


def test_cached_table_is_the_built_table_and_a_damaged_cache_is_rebuilt(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    built = keywords._build()
    assert keywords._unpack(keywords._pack(built)) == built
    assert sum(v is None for v in built.values()) >= 5  # stop words: matched, not counted

    monkeypatch.setenv("SQZL_CACHE_DIR", str(tmp_path))
    path = keywords._cache_file()
    assert path is not None and path.parent == tmp_path
    path.write_bytes(b"not a table")
    keywords._weights.cache_clear()
    try:
        assert keywords._weights() == built
        assert keywords._unpack(marshal.loads(path.read_bytes())) == built  # written again
        keywords._weights.cache_clear()
        assert keywords._weights() == built  # and read from the file
    finally:
        keywords._weights.cache_clear()


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


def test_words_of_remembered_runs_are_the_words_found_afresh() -> None:
    from .conftest import corpus_files

    text = corpus_files()[0].read_text(encoding="utf-8")
    keywords._RUN_WORDS.clear()
    for start in range(0, len(text) - 200, 97):
        piece = text[start:start + 200]
        assert keywords.words(piece) == _plain_words(piece)
        assert keywords.words(piece) == _plain_words(piece)  # now from the memo
