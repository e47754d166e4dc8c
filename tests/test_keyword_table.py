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
