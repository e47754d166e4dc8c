"""The head of a document (版头): metadata block, title, subtitle, 发文字号 line, salutation (主送).

All positions here are in normalised coordinates; :mod:`sqzl_docs.structure` maps them back.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .. import lexicon
from ..grammar.dates import DATE_TOKEN, parse_date
from ..grammar.docno import parse_doc_number
from ..grammar.enumerators import MARKER
from .lines import BULLETS, SENTENCE_END, Line

HEAD_LINES = 60
_SUBTITLE = re.compile(r"^(——|—|-{1,2}|[（(]).{0,60}((19|20)\d\d年|会议|讨论稿|征求意见稿|试行)")
_INLINE_SALUTATION = re.compile(r"^(网友)?“[^”\n]{1,40}”(?=[\s　]*(您|你))|^(尊敬的)?网友[:：]")


@dataclass
class MetaPair:
    name: str
    label: str
    value: str
    start: int  # value start (normalised)
    end: int
    line: int


@dataclass
class Head:
    metadata: list[MetaPair] = field(default_factory=list)
    metadata_lines: set[int] = field(default_factory=set)
    title: tuple[int, int] | None = None  # first and last line index
    subtitle: int | None = None
    doc_number_line: int | None = None
    salutation: tuple[int, int] | None = None  # normalised range
    body_line: int = 0  # index of the first body line


@functools.cache
def _label_pattern() -> re.Pattern[str]:
    labels = lexicon.metadata_labels()
    return re.compile(rf"(?P<label>{lexicon.alternation(list(labels), spaced=True)})\s*[:：]")


_SPACE_OR_COLON = re.compile(r"[\s:：]")


@functools.cache
def _label_sized() -> re.Pattern[str]:
    """A text of no more characters than the longest label, spaces and colons aside (checked in a few
    steps however long the line)."""
    longest = max(map(len, lexicon.metadata_labels()))
    return re.compile(rf"[\s:：]*(?:[^\s:：][\s:：]*){{0,{longest}}}")


def _label_only(text: str) -> str | None:
    """The label a line holds alone (spaces and colons aside), if it does."""
    bare = text.strip(BULLETS + " ")
    if not _label_sized().fullmatch(bare):
        return None
    key = _SPACE_OR_COLON.sub("", bare)
    return key if key in lexicon.metadata_labels() else None


def read_metadata(lines: list[Line], skip: set[int]) -> tuple[list[MetaPair], set[int]]:
    """Metadata pairs of the head: bulleted label/value lines and ``label：value`` runs."""
    labels = lexicon.metadata_labels()
    pairs: list[MetaPair] = []
    used: set[int] = set()
    limit = min(len(lines), HEAD_LINES)
    i = 0
    while i < limit:
        line = lines[i]
        if i in skip:  # page furniture: a dated field in markup, or a front-matter line (文号: …)
            pairs.extend(_markup_pairs(line, i) or _labelled_pairs(line, i, labels))
            i += 1
            continue
        label = _label_only(line.text)
        if label is not None:
            used.add(i)
            bulleted = line.text.lstrip()[:1] in BULLETS
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            has_colon = line.text.rstrip().endswith(("：", ":"))
            takes_next = (nxt is not None and not has_colon and _label_only(nxt.text) is None
                          and i + 1 not in skip and (not bulleted or nxt.text.lstrip()[:1] in BULLETS))
            if takes_next and nxt is not None:
                pairs.append(MetaPair(labels[label], label, nxt.bare, nxt.bare_start, nxt.end, i + 1))
                used.add(i + 1)
                i += 2
                continue
            i += 1
            continue
        labelled = _starts_with_label(line.text)
        if not labelled and _body_like(line):
            break  # metadata stands in the head, before the body
        if labelled:
            used.add(i)
            pairs.extend(_labelled_pairs(line, i, labels))
        i += 1
    return pairs, used


@functools.cache
def _label_near_start() -> re.Pattern[str]:
    """A ``label：`` that starts at one of the first three characters (matched from the start)."""
    return re.compile(rf"[\s\S]{{0,2}}(?:{_label_pattern().pattern})")


def _starts_with_label(text: str) -> bool:
    """Whether the first ``label：`` of a line starts within its first three characters (asked at
    each of them, not by a scan of the whole line)."""
    return _label_near_start().match(text) is not None


def _labelled_pairs(line: Line, index: int, labels: dict[str, str]) -> list[MetaPair]:
    """``label：value`` runs of a line that starts with a metadata label (标题: …, 文号: …)."""
    found = list(_label_pattern().finditer(line.text))
    if not (found and found[0].start() <= 2):
        return []
    out = []
    for k, m in enumerate(found):
        end = found[k + 1].start() if k + 1 < len(found) else len(line.text)
        raw = line.text[m.end():end]
        value = raw.strip()
        vstart = line.start + m.end() + (len(raw) - len(raw.lstrip()))
        label = re.sub(r"\s", "", m["label"])
        out.append(MetaPair(labels[label], label, value, vstart, vstart + len(value), index))
    return out


_MARKUP_DATE = re.compile(rf"(?P<label>[\u4e00-\u9fff]{{2,6}})\s*(?:<[^<>]*>\s*)+(?P<value>{DATE_TOKEN.pattern})")


def _markup_pairs(line: Line, index: int) -> list[MetaPair]:
    """Dated fields in page markup (<strong>修订时间</strong><p>2024年4月12日</p>)."""
    labels = lexicon.metadata_labels()
    out = []
    for m in _MARKUP_DATE.finditer(line.text):
        label = m["label"]
        if label in labels:
            out.append(MetaPair(labels[label], label, m["value"], line.start + m.start("value"),
                                line.start + m.end("value"), index))
    return out


def is_doc_number_line(text: str) -> bool:
    return len(text.strip()) <= 30 and parse_doc_number(text.strip()) is not None


def _is_dateline(text: str) -> bool:
    return parse_date(text) is not None


def _title_like(line: Line, taken: set[int], index: int) -> bool:
    text = line.bare
    if index in taken or not (2 <= len(text) <= 150):
        return False
    if SENTENCE_END.search(text[:-1]) or text.endswith(("：", ":", "，", ",", "；")):
        return False
    if MARKER.match(text) or _INLINE_SALUTATION.match(text) or _SUBTITLE.match(text):
        return False
    return not (is_doc_number_line(text) or _is_dateline(text))


def _ends_like_title(text: str) -> bool:
    endings = lexicon.structure_cues()["title_endings"]
    stripped = text.rstrip("）)】」”\"")
    return stripped.endswith(tuple(endings)) or text.endswith(("）", ")")) and "稿" in text[-8:]


def _ends_a_broken_title(lines: list[Line], candidates: list[int], i: int) -> bool:
    """A title broken inside a word over short lines (政府工作报 / 告): the line ends a title when it and
    the one or two candidate lines right before it, joined, end like a title."""
    joined = lines[i].bare
    for j in (i - 1, i - 2):
        if j not in candidates or len(lines[j].bare) + len(joined) > 150:
            return False
        joined = lines[j].bare + joined
        if _ends_like_title(joined) and not _ends_like_title(lines[j].bare):
            return True
    return False


def _body_like(line: Line) -> bool:
    text = line.bare
    return bool(SENTENCE_END.search(text)) or len(text) > 150 or bool(MARKER.match(text))


def read_head(lines: list[Line], skip: set[int]) -> Head:
    head = Head()
    head.metadata, head.metadata_lines = read_metadata(lines, skip)
    taken = skip | head.metadata_lines
    start = 0
    while start < len(lines) and start in taken:
        start += 1
    # the head region: up to the first body-like line or salutation
    end = start
    while end < min(len(lines), start + 15):
        if end not in taken and (_body_like(lines[end]) or _salutation(lines[end])):
            break
        end += 1
    candidates = [i for i in range(start, end) if _title_like(lines[i], taken, i)]
    title_end = None
    if candidates:
        candidates = sorted(candidates + [i for i in range(start, end) if i - 1 in candidates and i not in taken
                                          and len(lines[i].bare) == 1 and _ends_a_broken_title(lines, candidates, i)])
        title_end = next((i for i in reversed(candidates) if _ends_like_title(lines[i].bare)
                          or _ends_a_broken_title(lines, candidates, i)), None)
        if title_end is None:
            title_end = next((i for i in candidates if "关于" in lines[i].bare), candidates[0])
    if title_end is not None:
        title_start = title_end
        while (title_start - 1 in candidates and title_end - title_start < 3
               and not _ends_like_title(lines[title_start - 1].bare)
               and sum(len(lines[k].bare) for k in range(title_start - 1, title_end + 1)) <= 150):
            title_start -= 1
        head.title = (title_start, title_end)
    after = head.title[1] + 1 if head.title else start
    for i in range(after, min(end + 1, len(lines), after + 4)):
        if i in taken:
            continue
        text = lines[i].bare
        if head.subtitle is None and head.title and i == after and _SUBTITLE.match(text):
            head.subtitle = i
        elif head.doc_number_line is None and is_doc_number_line(text):
            head.doc_number_line = i
    for i in range(start, min(len(lines), max(end, after) + 3)):
        if i in taken or (head.title and head.title[0] <= i <= head.title[1]):
            continue
        sal = _salutation(lines[i])
        if sal:
            head.salutation = sal
            head.body_line = i if sal[1] < lines[i].end else i + 1
            break
    else:
        marks = [after - 1, head.subtitle or -1, head.doc_number_line or -1, start - 1]
        head.body_line = max(marks) + 1
    return head


def _salutation(line: Line) -> tuple[int, int] | None:
    """The range of a salutation (主送) on this line: a short line ending in a colon, or a
    ``网友“…”`` greeting at the start of a reply."""
    text = line.bare
    m = _INLINE_SALUTATION.match(text)
    if m:
        return line.bare_start, line.bare_start + m.end()
    if text.endswith(("：", ":")) and len(text) <= 100 and not SENTENCE_END.search(text):
        if "如下" in text or MARKER.match(text) or _label_only(text):
            return None
        return line.bare_start, line.bare_start + len(text)
    return None
