"""The numbered section tree (一、 / （一） / 1. / (1) / ① / 一是…二是…).

Levels are not fixed by numbering style: the first style met is level 1, a style not yet open
goes one level deeper, and a style already open closes everything below it (so a document that
starts with （一） has （一） at level 1). A new level starts at one, or goes on from the number the
same style reached at the same level in the section before (numbering that runs across sections).
Inline enumerations (一是……二是……) become children of the
section they stand in.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .. import lexicon
from ..grammar.enumerators import CN_NUMERAL, HEADING, INLINE, STYLES
from ..grammar.enumerators import number as _enum_number
from ..grammar.numerals import to_int
from .lines import Line

_HEADING_END = re.compile(r"[。！？；;]")


@dataclass
class Node:
    marker: str
    style: str
    number: int
    level: int
    start: int  # normalised
    heading_end: int
    end: int = -1
    children: list[Node] = field(default_factory=list)


@functools.cache
def _address_lines() -> frozenset[str]:
    return frozenset(lexicon.structure_cues().get("address_lines", []))


def _heading_end(text: str, start: int, line_end: int) -> int:
    m = _HEADING_END.search(text, start, line_end)
    return m.start() if m else line_end


def find_sections(text: str, lines: list[Line], body: tuple[int, int]) -> list[Node]:
    """The section tree of the body range ``body`` (normalised coordinates)."""
    roots: list[Node] = []
    stack: list[Node] = []
    flat: list[Node] = []
    closed: dict[str, tuple[int, int]] = {}  # style → (number, level) of the last section of it closed
    breaks: list[int] = []  # lines that address the audience (各位代表！): they close every open section
    address = _address_lines()
    for line in lines:
        if line.start < body[0] or line.start >= body[1]:
            continue
        if line.text.strip() in address:
            breaks.append(line.start)
            continue
        offset = len(line.text) - len(line.text.lstrip("# \u3000"))
        m = HEADING.match(line.text, offset)
        if not m:
            continue
        style = next(s for s in STYLES if m[s])
        number = _enum_number(style, m[f"n_{style}"])
        open_styles = [n.style for n in stack]
        if style in open_styles:
            while stack and stack[-1].style != style:
                _note(closed, stack.pop())
            previous = stack.pop()
            if number != previous.number + 1 and number != 1:
                stack.append(previous)  # out of sequence: not a heading (e.g. a list inside text)
                continue
            _note(closed, previous)
        elif number != 1 and closed.get(style) != (number - 1, len(stack) + 1):
            continue  # a new level starts at one, or continues the numbering of the section before
        node = Node(m.group(), style, number, len(stack) + 1, line.start + offset,
                    _heading_end(text, line.start + offset + m.end() - m.start(), line.end))
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
        flat.append(node)
    _close(flat, body[1], text)
    _break(flat, breaks, text)
    for node in flat:
        _inline_items(node, text, lines)
    if not roots:
        roots = _inline_roots(text, lines, body)
    return roots


def _break(flat: list[Node], breaks: list[int], text: str) -> None:
    """End every section at the first address line (各位代表！) after its heading, if it runs past one."""
    if not breaks:
        return
    import bisect

    for node in flat:
        i = bisect.bisect_right(breaks, node.start)
        if i < len(breaks) and breaks[i] < node.end:
            _set_end(node, breaks[i], text)


def _note(closed: dict[str, tuple[int, int]], node: Node) -> None:
    """Remember the last section of a style closed, for numbering that runs on across sections
    (（一）（二） under 一、, then （三）（四） under 二、, as 意见 often number their measures)."""
    closed[node.style] = (node.number, node.level)


def _close(flat: list[Node], body_end: int, text: str) -> None:
    """Set each section's end: the start of the next heading at its level or above.

    One pass with a stack of the sections still open: a heading closes every open section at its
    level or below (linear in the number of headings, however many follow each one)."""
    open_nodes: list[Node] = []
    for node in flat:
        while open_nodes and open_nodes[-1].level >= node.level:
            _set_end(open_nodes.pop(), node.start, text)
        open_nodes.append(node)
    for node in open_nodes:
        _set_end(node, body_end, text)


def _set_end(node: Node, end: int, text: str) -> None:
    while end > node.start and text[end - 1] in " \n":
        end -= 1
    node.end = end


def _inline_items(node: Node, text: str, lines: list[Line]) -> None:
    """Add 一是/二是 items as children of ``node`` when they lie in its own text (not a child's)."""
    own_end = node.children[0].start if node.children else node.end
    items = _inline_sequence(text, node.start, own_end)
    for item in items:
        item.level = node.level + 1
    node.children[:0] = items


def _inline_roots(text: str, lines: list[Line], body: tuple[int, int]) -> list[Node]:
    items = _inline_sequence(text, body[0], body[1])
    for item in items:
        item.level = 1
    return items


def _numeral_before_is(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds a numeral right before 是, as every inline marker (``INLINE``)
    ends: found with ``str.find``, quicker than the scan for markers, which is made only then."""
    at = text.find("是", start + 1, end)
    while at >= 0:
        if text[at - 1] in CN_NUMERAL:
            return True
        at = text.find("是", at + 1, end)
    return False


def _inline_sequence(text: str, start: int, end: int) -> list[Node]:
    found: list[Node] = []
    if not _numeral_before_is(text, start, end):
        return found
    expected = 1
    for m in INLINE.finditer(text, start, end):
        number = to_int(m["n"]) or 0
        if number != expected:
            continue
        found.append(Node(m["marker"], "inline", number, 0, m.start("marker"),
                          _heading_end(text, m.end(), _line_end(text, m.end(), end))))
        expected += 1
    if len(found) < 2:
        return []
    for i, node in enumerate(found):
        stop = found[i + 1].start if i + 1 < len(found) else _line_end(text, node.start, end)
        while stop > node.start and text[stop - 1] in " \n":
            stop -= 1
        node.end = stop
    return found


def _line_end(text: str, pos: int, limit: int) -> int:
    nl = text.find("\n", pos, limit)
    return limit if nl < 0 else nl
