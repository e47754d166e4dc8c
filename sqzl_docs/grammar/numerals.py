"""Chinese numerals (二〇二一, 十一, 三十一) → int, through cn2an."""

from __future__ import annotations

import functools

import cn2an

CN_DIGITS = "〇零一二三四五六七八九十百千两"


@functools.lru_cache(maxsize=4096)
def to_int(text: str) -> int | None:
    """The integer a numeral written in Arabic or Chinese digits stands for, or None.

    >>> to_int("二〇二一"), to_int("三十一"), to_int("07")
    (2021, 31, 7)
    """
    text = text.strip()
    if text.isascii() and text.isdigit():
        return int(text)
    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return int(value) if value == int(value) else None
