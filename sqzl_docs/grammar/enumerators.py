"""Enumerators: the numbering that opens a section or an item — 第一章 第一条 一、 （一） 1. (1) ① 一是.

One grammar for every layer that must recognise them: the section tree (``HEADING`` with one named
group per numbering style, ``INLINE`` for 一是……二是……), and the line-start test used when joining
lines (normalisation, PDF paragraphs), telling a title from body text and stripping an item's marker
off a sentence (``MARKER``, ``ITEM_MARKER``).

>>> lines = ["一、总体要求", "（二）工作目标", "3.完善", "②落实", "一是加强", "第一章 总则"]
>>> [m.group() for m in map(MARKER.match, lines)]
['一、', '（二）', '3.', '②', '一是', '第一章']
>>> ITEM_MARKER.match("第一章 总则") is None, MARKER.match("2021.5.11") is None  # a date, not an item number
(True, True)
"""

from __future__ import annotations

import re

CN_NUMERAL = "一二三四五六七八九十百"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# The section tree: one named group per numbering style, the number in ``n_<style>``.
HEADING = re.compile(
    rf"(?P<chapter>第(?P<n_chapter>[{CN_NUMERAL}]+)章)"
    rf"|(?P<article>第(?P<n_article>[{CN_NUMERAL}]+)条)"
    rf"|(?P<cn_comma>(?P<n_cn_comma>[{CN_NUMERAL}]+)、)"
    rf"|(?P<cn_paren>[（(](?P<n_cn_paren>[{CN_NUMERAL}]+)[）)])"
    r"|(?P<arabic_dot>(?P<n_arabic_dot>\d{1,2})(?:[.．、](?!\d)))"
    r"|(?P<arabic_paren>[（(](?P<n_arabic_paren>\d{1,2})[）)])"
    rf"|(?P<circled>(?P<n_circled>[{CIRCLED}]))"
)
STYLES = ("chapter", "article", "cn_comma", "cn_paren", "arabic_dot", "arabic_paren", "circled")
# 一是……二是……: an enumeration inside a paragraph, after a sentence or clause end (or at the text's
# start). The look-behind is taken after the first numeral, so that the pattern opens with a
# character class, which the engine searches for quickly.
INLINE = re.compile(rf"(?P<marker>(?P<n>[{CN_NUMERAL}](?<![^。；;：:！？\n][{CN_NUMERAL}])[{CN_NUMERAL}]*)是)(?!是)")

# An item's number (without the named groups): stripped off a sentence, and a line break before one
# that follows a wide space. A chapter or article number (第一章, 第二条) is part of its text.
ITEM_MARKER = re.compile(
    rf"[{CN_NUMERAL}]+、|[（(][{CN_NUMERAL}\d]+[）)]|\d{{1,2}}[.、．](?!\d)|[{CN_NUMERAL}]+是|[{CIRCLED}]")
# Any enumerator, as it opens a line: a PDF line that starts a paragraph, a line that is no title.
MARKER = re.compile(rf"第[{CN_NUMERAL}]+[章条节]|{ITEM_MARKER.pattern}")


def number(style: str, text: str) -> int:
    """The number an enumerator of ``style`` stands for (``text`` is its ``n_<style>`` group)."""
    from .numerals import to_int

    if style == "circled":
        return CIRCLED.index(text) + 1
    return to_int(text) or 0
