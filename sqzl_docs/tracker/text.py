"""Chinese text for SQLite full-text search: jieba-segmented columns indexed with unicode61.

SQLite's default tokenizer treats a run of Chinese characters as one token, and trigram cannot find
two-character words (社区); a segmented copy of the text makes both work.
"""

from __future__ import annotations

import functools
import logging
import re


@functools.cache
def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


_WORD = re.compile(r"[\w\u4e00-\u9fff]")


def tokens(text: str) -> list[str]:
    """jieba words of a text, punctuation and spaces left out."""
    return [w for w in _jieba().lcut(text) if _WORD.match(w)]


def segment(text: str) -> str:
    """The text as space-separated jieba words (the column the FTS index reads)."""
    return " ".join(tokens(text))


def fts_query(query: str) -> str:
    """A MATCH expression for a user's query: each jieba word quoted, all required."""
    words = tokens(query)
    return " ".join('"' + w.replace('"', '""') + '"' for w in words) or '""'
