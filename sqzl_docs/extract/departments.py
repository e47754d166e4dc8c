"""Departments — government, Party, people's congress and CPPCC organs and their departments, found
by a grammar over the vocabulary in ``data/departments.yaml`` (levels, organs, department stems and
endings, party departments, group words), not by a list of whole names.

Each carries its role where the text gives one (issuer, co_handler, lead, responsible, mentioned)
and a canonical full name where the jurisdiction is known (市民政局 in a Chongqing document →
重庆市民政局; 住房城乡建委 → 住房和城乡建设委员会).

>>> from sqzl_docs.models import Document
>>> doc = Document.from_text("经与市委组织部、市财政局共同办理。市民政局会同市住房城乡建委出台方案。\\n重庆市民政局\\n2021年5月11日")
>>> [(d.name, d.role) for d in extract(doc)][:4]
[('市委组织部', 'co_handler'), ('市财政局', 'co_handler'), ('市民政局', 'mentioned'), ('市住房城乡建委', 'co_handler')]
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from .. import lexicon
from ..grammar.scan import matches_at, starts_after, starts_before
from ..models import Department, Document, maker
from . import dates, extractor, keywords

_department = maker(Department)  # Department(**fields), a record per name found
_CJK = r"[\u4e00-\u9fff]"


_NAME = lexicon.ideographs_except("的由和与及任为")
_GROUP_NAME = lexicon.ideographs_except("的由和与及任为向在对将把被从以没是")  # a body's topic holds no verb phrase


@functools.cache
def _data() -> dict[str, Any]:
    return lexicon.load("departments.yaml")


def grouped_alternation(words: Iterable[str]) -> str:
    """``lexicon.alternation(words)`` with the words that share a first character written once behind
    it, and so on down (民政|民族|民 → 民(?:政|族|)): the same words tried in the same order (longest
    first), so the same matches, but a position is ruled out by one test per character, not one per
    word."""
    return _grouped(sorted(set(words), key=lambda w: (-len(w), w)))


def _grouped(ordered: list[str]) -> str:
    by_first: dict[str, list[str]] = {}
    for w in ordered:
        by_first.setdefault(w[:1], []).append(w[1:])
    parts = [re.escape(first + rests[0]) if len(rests) == 1 else f"{re.escape(first)}(?:{_grouped(rests)})"
             for first, rests in by_first.items() if first]
    if "" in by_first:  # a word that ends here: the shortest, tried last
        parts.append("")
    return "|".join(parts)


@functools.cache
def _pattern(grouped: bool = True) -> re.Pattern[str]:
    """The closed grammar of names; ``grouped``: its word lists written as :func:`grouped_alternation`
    (``False``: as ``lexicon.alternation``, the same matches, for the tests)."""
    return re.compile(_grammar(grouped))


@functools.cache
def _grammar(grouped: bool = True, groups: bool = True) -> str:
    """The source of :func:`_pattern`, for the patterns built around it (each compiled on its own);
    ``groups=False``: without the parts that end with a group word or an institution (……领导小组,
    ……服务中心), the grammar for a text holding none of them, where those parts cannot match: the
    same matches, without the lazy scans for those words after every level word.

    ``grouped`` also puts a look-ahead for the characters an organ or a department can open with
    before the alternations of them (the same matches: a level word or 市场 that no organ follows is
    ruled out by one class test, not by each first character of the word lists in turn)."""
    d = _data()
    alt = grouped_alternation if grouped else lexicon.alternation
    level = alt(d["levels"])
    numerals = "一二三四五六七八九十"
    dept = rf"(?:{alt(d['stems'])})(?:{alt(d['endings'])})"
    organ = rf"(?:委(?:{alt(d['party_departments'])})?|{alt([o for o in d['organs'] if o != '委'])}|{dept})"
    organ_opens = _opening(numerals, ["委"], d["organs"], d["stems"]) if grouped and not groups else ""
    dept_opens = _opening(d["national"], d["stems"]) if grouped else ""
    group = alt(d["groups"])
    units = alt(d["units"])
    institutions = alt(d["institutions"])
    central = alt(d["central"])
    unit_word = lexicon.ideographs_except("的由与及为在对将把被从向以中是")
    return (
        r"(?P<name>"
        + (rf"(?:(?P<level>{level})(?:[一二三四五六七八九十]+届)?(?:委?{_GROUP_NAME}{{2,20}}?(?:{group})|{organ}"
           rf"|{_NAME}{{2,10}}?(?:{institutions}))"
           rf"|(?:{central})(?:{_NAME}{{2,16}}?(?:{group}))?"
           if groups else
           rf"(?:(?P<level>{level}){organ_opens}(?:[{numerals}]+届)?(?:{organ})"
           rf"|(?:{central})")
        + rf"|{dept_opens}(?:{alt(d['national'])})?{dept}"
        rf"|(?P<street>(?:{_CJK}{{2,4}}|[A-Z]\d{{0,3}}[区县市镇乡])(?:街道办事处|街道))"
        rf")(?:{_CJK}{{0,8}}?(?:{units})(?<!公司)|(?<=部){unit_word}{{2,{d['ministry_unit_reach']}}}?(?<!公)司)?"
        rf")(?![{''.join(d['not_after'])}])"
    )


def _opening(*words: Iterable[str]) -> str:
    """A look-ahead for the first characters of ``words`` (none where one is empty: it would match
    before any character)."""
    firsts = [w[:1] for ws in words for w in ws]
    return "" if "" in firsts else "(?=[" + "".join(sorted({re.escape(c) for c in firsts})) + "])"


def _first_words() -> tuple[list[str], str]:
    """The words a name can open with (a level, a central organ, 国家, a department stem), and their
    first characters as a character class."""
    d = _data()
    words = d["levels"] + d["central"] + d["national"] + d["stems"]
    return words, "".join(re.escape(c) for c in sorted({w[0] for w in words}))


@functools.cache
def _named(groups: bool = True) -> re.Pattern[str]:
    """The grammar of names, the whole name in group ``whole`` (``groups``: see :func:`_grammar`)."""
    return re.compile(f"(?P<whole>{_grammar(groups=groups)})")


class _Anchors(NamedTuple):
    """Where, in a text, words start that the grammars are tried from (each list in order)."""
    names: list[int]  # a word of :func:`_first_words`: where a name can start
    group_endings: list[int]  # a named group's ending (工作领导小组, 联席会议 …)
    role_cues: list[int]  # a role cue after an open name (牵头, 负责 …)
    post_titles: list[int]  # the post of an organ's head (主任, 所长 …)
    group_words: list[int]  # a group word or an institution (领导小组, 服务中心 …): see :func:`_grammar`
    national: list[int]  # 国家, where a national organ's open name starts (:func:`_national_open`)
    enumeration_commas: list[int]  # 、, where a list's names meet (:func:`_list_starts`)
    heading_ends: list[int]  # an ending before what ends a heading (:func:`_heading_ends`)
    role_words: list[int]  # a word the role tests need (:func:`_role_cue_words`)
    streets: list[int]  # 街道, before which a street office's name can start anywhere (:func:`_street_starts`)


@functools.cache
def _anchor_finder() -> Callable[[str], tuple[list[int], ...]]:
    """The word lists of :class:`_Anchors`, in its order, made into one finder."""
    d = _data()
    return keywords.word_starts((tuple(_first_words()[0]), tuple(d["named_group_endings"]),
                                 tuple(d["open_role_cues"]), tuple(d["open_post_titles"]),
                                 tuple(d["groups"] + d["institutions"]), tuple(d["national"]), ("、",),
                                 _heading_ends(), _role_cue_words(), ("街道",)))


def _anchors(text: str) -> _Anchors:
    """The :class:`_Anchors` of ``text``, found in one pass (in C where it was built:
    ``keywords.word_starts``)."""
    return _Anchors(*_anchor_finder()(text))


def _street_starts(text: str, streets: list[int]) -> set[int]:
    """Where a street office (……街道) can start other than at a word of :func:`_first_words`: two to
    four characters before each 街道 (at ``streets``), and at a coded place before it (A2区街道)."""
    starts: set[int] = set()
    for at in streets:
        starts.update(range(max(0, at - 4), at - 1))
        coded = _CODED_STREET_PLACE_END.search(text, max(0, at - 5), at)
        if coded:
            starts.add(coded.start())
    return starts


def _matches(text: str, anchors: _Anchors | None = None) -> Iterator[re.Match[str]]:
    """The names ``_pattern().finditer(text)`` finds, each in group ``whole`` of its match, the
    grammar tried only where a name can start: where a word of :func:`_first_words` starts (found in
    one pass, in C where it was built: ``keywords.word_starts``) and, in a text holding 街道, where
    :func:`_street_starts` says; the grammar without the parts ending with a group word or an
    institution where the text holds none (:func:`_grammar`)."""
    if anchors is None:
        anchors = _anchors(text)
    starts = anchors.names
    if anchors.streets:
        starts = sorted(_street_starts(text, anchors.streets).union(starts))
    return matches_at(_named(bool(anchors.group_words)), text, starts)


@functools.cache
def _open_name(endings: str = "open_endings", longest: int = 7) -> str:
    d = _data()
    return rf"{lexicon.ideographs_except(d['open_not_inside'])}{{1,{longest}}}?(?:{lexicon.alternation(d[endings])})"


@functools.cache
def _open_reach(endings: str = "open_endings", longest: int = 7) -> int:
    """How many characters an open name (:func:`_open_name`) can hold."""
    return longest + max(len(e) for e in _data()[endings])


@functools.cache
def _list_anchor_ends() -> str:
    """The characters before a 、 where a list's first name ends (:func:`_list_starts`): the last
    character of an open name's ending, or the ） of a note after it."""
    return _last_characters("open_endings") + "）"


_HEADING_END = "。.：:\n"  # what follows an organ alone as an item heading (1. 区民政局：)


def _heading_ends() -> tuple[str, ...]:
    """An open name's ending before what ends a heading (局：, 办。): a text holding none has no
    heading that is an organ."""
    return tuple(e + c for e in _data()["open_endings"] for c in _HEADING_END)


_NOTE_REACH = 8  # （局） after a listed name: （, one to six characters, ）


def _ends_before(endings: str, text: str, following: list[int]) -> list[int]:
    """Where the last character of a word of ``endings`` stands right before a word that starts at
    one of ``following`` (办|主任, 局|牵头: see :class:`_Anchors`): an open name that must be followed
    by such a word ends there."""
    lasts = _last_characters(endings)
    return [at - 1 for at in following if at and text[at - 1] in lasts]


@functools.cache
def _open_patterns() -> tuple[re.Pattern[str], ...]:
    """A list of organs (A、B、C), an organ before a role cue, an organ alone as an item heading, an
    organ opening a paragraph before a role cue, an organ before the post of its head."""
    name = _open_name()
    edge = r"(?<![\u4e00-\u9fff])"
    after = r"(?=[、，,。；;：:）)\n]|等|$)"
    listed = re.compile(rf"{edge}{name}(?:（[^）\n]{{1,6}}）)?(?:、{name}(?:（[^）\n]{{1,6}}）)?)+{after}")
    short = _open_name("open_cued_endings", 5)
    cued = re.compile(rf"{edge}({short})(?={lexicon.alternation(_data()['open_role_cues'])})")
    heading = re.compile(rf"(?m)^[ \t\u3000]*(?:\d{{1,2}}[.、]|[（(][一二三四五六七八九十\d]{{1,3}}[）)])[ \t]*({name})"
                         rf"(?=[{_HEADING_END}])")
    duty = re.compile(rf"(?m)^[ \t\u3000]*({name})(?={lexicon.alternation(_data()['open_role_cues'])})")
    post = re.compile(rf"({name})(?={lexicon.alternation(_data()['open_post_titles'])})")
    return listed, cued, heading, duty, post


def _small_place(text: str, start: int) -> int:
    """A town too small for the gazetteer before its level word (彭浦|镇政府): two or three characters
    at a word start, with no function word among them."""
    bad = set(_data()["open_not_inside"])
    for k in (3, 2):
        place = text[start - k:start]
        if start - k >= 0 and _CJK_RUN.fullmatch(place) and len(place) == k and _word_start(text, start - k) \
                and not bad & set(place) and not place.startswith(_GENERIC_BEFORE) \
                and not place.startswith(tuple(_data()["small_place_not_start"] + _data()["boundary_words"])):
            return start - k
    return start


def _join_street_offices(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A government's name followed at once by its street office or town (上海市闵行区人民政府 +
    古美路街道办事处) names one organ: the office, with its parents."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(found):
        if out and out[-1][1] == s and text[out[-1][0]:out[-1][1]].endswith("人民政府") \
                and text[s:e].endswith(("街道办事处", "办事处", "镇人民政府", "乡人民政府")):
            out[-1] = (out[-1][0], e)
            continue
        out.append((s, e))
    return out


@functools.cache
def _named_group_pattern() -> re.Pattern[str]:
    d = _data()
    return re.compile(rf"[\u4e00-\u9fff“”]{{4,{_NAMED_GROUP_REACH}}}?(?:{lexicon.alternation(d['named_group_endings'])})"
                      rf"(?!{lexicon.alternation(d['named_group_not_before'])})")


@functools.cache
def _named_group_parts() -> tuple[re.Pattern[str], frozenset[str], tuple[str, ...]]:
    """(the lead to cut off a name, characters no name holds, words no name holds)."""
    d = _data()
    lead = re.compile(rf"^(?:{lexicon.alternation(d['named_group_not_start'] + d['boundary_words'])})+")
    return lead, frozenset(d["open_not_inside"]) | {"要", "可"}, tuple(d["named_group_not_inside"])


_NAMED_GROUP_REACH = 24  # the longest topic before a named group's ending (:func:`_named_group_pattern`)


def _named_group_matches(text: str, endings: list[int] | None = None) -> Iterator[re.Match[str]]:
    """``_named_group_pattern().finditer(text)``, tried only up to a topic's length before an ending."""
    if endings is None:
        endings = _anchors(text).group_endings
    return matches_at(_named_group_pattern(), text, starts_before(endings, _NAMED_GROUP_REACH)) if endings else iter(())


def _named_groups(text: str, endings: list[int]) -> Iterator[tuple[int, int]]:
    """Coordinating bodies named by their task (农村留守儿童关爱保护工作部际联席会议): the name starts after
    the verb or boundary word before it (建立……, 由……) and holds no function word."""
    lead, bad, not_inside = _named_group_parts()
    for m in _named_group_matches(text, endings):
        name = m.group()
        cut = lead.match(name)
        start = m.start() + (cut.end() if cut else 0)
        name = text[start:m.end()]
        if len(name) >= 8 and _CJK_CHAR.match(name) and not bad & set(name) \
                and (cut or _word_start(text, start)) and not any(w in name for w in not_inside):
            yield start, m.end()


@functools.cache
def _open_parts() -> tuple[re.Pattern[str], tuple[str, ...], tuple[str, ...], re.Pattern[str], tuple[str, ...]]:
    """(a whole open name, words it may not start or end with, an organ ending in a list, role cues)."""
    d = _data()
    return (re.compile(_open_name() + r"$"), tuple(d["open_not_start"]), tuple(d["open_not_end"]),
            re.compile(rf"(?:{lexicon.alternation(d['open_cued_endings'])})(?:（[^）]*）)?(?:、|$)"),
            tuple(d["open_role_cues"]))


# The open grammars are tried only where a match can start: up to a name's length before the end of
# a name before a 、 (a list), before a role cue, before a post (tests/test_scanning.py compares
# them with finditer).

@functools.cache
def _run_before() -> re.Pattern[str]:
    """A run of ideographs that an open name can be, whole (after no ideograph), up to where the
    search ends."""
    return re.compile(rf"(?<!{_CJK}){_CJK}{{1,{_open_reach()}}}$")


def _list_starts(text: str, commas: list[int] | None = None) -> list[int]:
    """Where a list can start, as its pattern opens after no ideograph with a name of ideographs
    only: at the start of the run of ideographs that ends right before a 、 after the end of a name
    (:func:`_list_anchor_ends`), if the run is no longer than a name; before a note (（局）、), after
    any non-ideograph up to a name and its note before the 、. ``commas``: where the 、 are (see
    :class:`_Anchors`)."""
    starts: set[int] = set()
    ends = _list_anchor_ends()
    for at in _anchors(text).enumeration_commas if commas is None else commas:  # the 、
        if not at or text[at - 1] not in ends:
            continue
        if text[at - 1] == "）":
            low = max(0, at - 1 - _open_reach() - _NOTE_REACH)
            if low == 0:
                starts.add(0)
            starts.update(starts_after(_NOT_CJK, text, low, at - 1))
        else:
            run = _run_before().search(text, max(0, at - _open_reach()), at)
            if run:
                starts.add(run.start())
    return sorted(starts)


def _listed(text: str, commas: list[int] | None = None) -> Iterator[re.Match[str]]:
    if commas is None:
        commas = _anchors(text).enumeration_commas
    return matches_at(_open_patterns()[0], text, _list_starts(text, commas)) if commas else iter(())


def _cued(text: str, cues: list[int] | None = None) -> Iterator[re.Match[str]]:
    ends = _ends_before("open_cued_endings", text, _anchors(text).role_cues if cues is None else cues)
    return matches_at(_open_patterns()[1], text, starts_before(ends, _open_reach("open_cued_endings", 5) - 1))


@functools.cache
def _last_characters(key: str) -> str:
    return "".join(sorted({w[-1] for w in _data()[key]}))


def _posts(text: str, titles: list[int] | None = None) -> Iterator[re.Match[str]]:
    ends = _ends_before("open_endings", text, _anchors(text).post_titles if titles is None else titles)
    return matches_at(_open_patterns()[4], text, starts_before(ends, _open_reach() - 1))


def _at_line_starts(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern that opens with ``(?m)^`` and matches within a line
    (no newline in a match): the match at the text's start, then those after each newline, found by
    the pattern opening with a newline instead (a literal, searched for quickly, not a test at every
    position); the matched parts, in groups, are the same."""
    first = pattern.match(text)
    if first:
        yield first
    yield from _after_newline(pattern).finditer(text)


@functools.cache
def _after_newline(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` with its ``(?m)^`` written as a newline."""
    return re.compile("\n" + pattern.pattern.removeprefix("(?m)^"), pattern.flags)


def _open_organs(text: str, anchors: _Anchors) -> Iterator[tuple[int, int]]:
    """Spans of organs found by the open grammar (see ``open_endings`` in data/departments.yaml)."""
    if not (anchors.enumeration_commas or anchors.role_cues or anchors.heading_ends):
        return  # no list, no cue, no heading
    _, _, heading, duty, _ = _open_patterns()
    whole, not_start, not_end, organ_list, _ = _open_parts()
    for m in _listed(text, anchors.enumeration_commas):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if text[line_start:m.start()].lstrip().startswith("各"):
            continue  # an addressee line: 各省、自治区……民政厅（局）
        if not organ_list.search(m.group()):
            continue  # 中心、中心、所: facilities, unless an organ is among them
        pos = m.start()
        for part in re.split(r"(、)", m.group()):
            bare = part[:part.rfind("（")] if part.endswith("）") and "（" in part else part  # 财政厅（局）
            if part != "、" and whole.match(bare) and not bare.startswith(not_start) and not bare.endswith(not_end):
                yield pos, pos + len(bare)
            pos += len(part)
    cues = anchors.role_cues
    cued = _ends_before("open_endings", text, cues)  # (the cued endings are open endings)
    runs = ([_cued(text, cues), _at_line_starts(duty, text)] if cued else []) \
        + ([_at_line_starts(heading, text)] if anchors.heading_ends else [])
    for found in runs:
        for m in found:
            if not m.group(1).startswith(not_start) and not m.group(1).endswith(not_end):
                yield m.start(1), m.end(1)


def _post_organs(text: str, titles: list[int]) -> Iterator[tuple[int, int]]:
    """Organs named before the post of their head (党政办主任, 由镇房管所所长兼任), from the nearest word
    start (the caller cuts a person's name written before it: 周煜斌  党政办主任)."""
    not_start, not_end = _open_parts()[1], tuple(_data()["open_not_end"])
    for m in _posts(text, titles):
        start = next((i for i in range(m.start(1), m.end(1) - 1) if _word_start(text, i)), None)
        if start is None:
            continue
        name = text[start:m.end(1)]
        if not name.startswith(not_start) and not name.endswith(not_end) and len(name) <= _data()["open_post_longest"]:
            yield start, m.end(1)


@functools.cache
def _level_not_after(level: str) -> tuple[str, ...]:
    """What a level word does not come right after as a level word (社|区, 城|乡, 超|市)."""
    return tuple(_data()["level_not_after"].get(level, ()))


@functools.cache
def _roles() -> dict[str, Any]:
    """The role grammar: cue words from ``roles`` in data/departments.yaml, distances here."""
    r = _data()["roles"]
    alt = lexicon.alternation
    return {
        "co_after": re.compile(rf"[、，,和及与]*[^。]{{0,30}}?(?:{alt(r['co_handled_after'])})"),
        "co_before": re.compile(alt(r["co_handled_before"])),
        "co_right_after": tuple(r["co_handler_right_after"]),
        "lead": re.compile(rf"(?:[、，,和及与][^。，；]{{0,40}}?)?(?:{alt(r['lead_after'])})"),
        "responsible": re.compile(rf"(?:[、，,和及与][^。；（）()]{{0,60}}?)?(?:等)?(?:{alt(r['responsible_after'])})"),
    }


@functools.cache
def _session() -> re.Pattern[str]:
    return re.compile("|".join(_data()["session_after"]))


@functools.cache
def _boundary() -> re.Pattern[str]:
    return re.compile(rf"(?:{lexicon.alternation(_data()['boundary_words'])})$")


_SENTENCE = re.compile(r"[。；;！？\n]")
_LAST_SENTENCE_END = re.compile(r"(?s:.*)[。；;！？\n]")  # up to the last end of a sentence
_CJK_CHAR = re.compile(_CJK)
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]")
_CJK_RUN = re.compile(f"{_CJK}+")
_TWO_OR_THREE_CJK = re.compile(f"{_CJK}{{2,3}}")
_CODED_PLACE_END = re.compile(r"[A-Z]\d{0,3}$")
_CODED_STREET_PLACE_END = re.compile(r"[A-Z]\d{0,3}[区县市镇乡]$")
_SPACE = re.compile(r"\s")
_PLACE_LEVEL = re.compile(r"(省|市|区|县|州|旗|盟|兵团)$")
_GENERIC_BEFORE = ("各", "全", "直辖", "计划单列", "单列", "副省级", "地级", "县级", "乡", "所在地", "当地", "本级")
_STREET_CUES = ("经", "由", "据", "人民政府")  # 人民政府: the street office of that government


def _word_start(text: str, i: int) -> bool:
    """Whether a name may start at ``i``: at a line start, after punctuation or a boundary word."""
    return i <= 0 or not _CJK_CHAR.match(text[i - 1]) or bool(_boundary().search(text[max(0, i - 3):i]))


def _extend_left(text: str, start: int, level: str | None) -> int:
    """Extend a name over the place names written before it (市民政局 → 重庆市民政局,
    区民政局 → 武汉市江夏区民政局, 民政局 → 新疆生产建设兵团民政局): names of real places from the
    gazetteer (a two-character one only at a word start), anonymised ones (F1区, J10县)."""
    pos = _place_across(text, start)
    if level and pos == start:  # 重庆 + 市民政局
        heads, last_two = _places_before(level)
        for k in range(min(8, pos), 0, -1) if text[pos - 2:pos] in last_two or text[pos - 1:pos] in heads else ():
            if text[pos - k:pos] in heads and (k + len(level) >= 3 or _word_start(text, pos - k)):
                pos -= k
                break
        else:
            window = max(0, pos - 8)
            last = text[pos - 1:pos]  # a coded place ends with a letter or a digit: searched for only then
            coded = _CODED_PLACE_END.search(text, window, pos) if last and ("A" <= last <= "Z" or last.isdecimal()) else None
            if coded:
                pos = coded.start()  # an anonymised place: F1|区政府, J10|县市场监督管理局
            elif text.endswith(level, window, pos) and _TWO_OR_THREE_CJK.fullmatch(text[pos - 3:pos - 1]):
                pos -= 3  # an unlisted place of the same level: 原东区|区政府

    ends = _place_ends()
    while True:
        if text[pos - 1:pos] not in ends:
            return pos  # no place ends with the character before: no place to take in
        known = lexicon.places()
        for k in range(9, 1, -1):
            place = text[pos - k:pos]
            if pos - k >= 0 and place in known and (len(place) >= 3 or _word_start(text, pos - k)):
                pos -= k
                break
        else:
            return pos


@functools.cache
def _place_ends() -> frozenset[str]:
    """The characters the gazetteer's places end with (县, 区, 市, 旗 …)."""
    return frozenset(place[-1] for place in lexicon.places())


@functools.cache
def _long_places() -> tuple[frozenset[str], frozenset[str]]:
    """The gazetteer's places of three or more characters, and their last two characters."""
    places = frozenset(place for place in lexicon.places() if len(place) >= 3)
    return places, frozenset(place[-2:] for place in places)


@functools.cache
def _places_before(level: str) -> tuple[frozenset[str], frozenset[str]]:
    """What the gazetteer's places ending with ``level`` write before it (重庆 of 重庆市), and the
    last two characters of those (a place before a level word is looked for only where they are)."""
    heads = frozenset(place[:-len(level)] for place in lexicon.places() if place.endswith(level))
    return heads, frozenset(head[-2:] for head in heads if len(head) >= 2)


def _place_across(text: str, start: int) -> int:
    """Where a known place of three or more characters starts that begins one to seven characters
    before ``start`` and ends one or two characters after it, the nearest first; else ``start``. It
    ends with text[start - 1:start + 1] or with text[start:start + 2]: only where one of them ends a
    place is it looked for."""
    places, last_two = _long_places()
    one, two = text[start - 1:start + 1] in last_two, text[start:start + 2] in last_two
    if one or two:
        for k in range(1, 8):
            if (one and text[start - k:start + 1] in places) or (two and text[start - k:start + 2] in places):
                return start - k  # a place the match starts inside of: 池|州市…
    return start


def _street_start(text: str, end: int) -> int | None:
    """Where a 街道 name ending at ``end`` starts: after a place or a cue word (经韭菜园街道)."""
    known, ends = lexicon.places(), _place_ends()  # (a place before the name ends with one of ends)
    window = max(0, end - 8)
    coded = _CODED_STREET_PLACE_END.search(text[window:end])
    if coded:
        return window + coded.start()  # an anonymised place's street office: A1区街道办事处
    for k in range(2, 5):
        s = end - k
        if s < 1:
            break
        name = text[s:end]
        if not _CJK_RUN.fullmatch(name) or name.startswith(_GENERIC_BEFORE):
            continue
        before = text[max(0, s - 12):s]
        if before.endswith(_STREET_CUES) or before[-1] == "\n" \
                or (before[-1] in ends and any(before[-j:] in known for j in range(2, 9))):
            return s
    return None


_PLACE_CHAIN = re.compile(r"(?:[\u4e00-\u9fff]{2,6}?(?:省|市|区|县))+")
_PLACE_LINK = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:省|市|区|县)")


def _jurisdictions(names: list[str]) -> dict[str, str]:  # noqa: D401
    """Level word → the place it stands for in this document (市 → 重庆市, 区 → 武汉市江夏区): the
    first name to say it."""
    out: dict[str, str] = {}
    for name in names:
        for level, place in _places_named(name):
            out.setdefault(level, place)
    return out


@functools.lru_cache(maxsize=4096)
def _places_named(name: str) -> tuple[tuple[str, str], ...]:
    """The level words and the places they stand for as ``name`` writes them, in order (武汉市江夏区民政局:
    市 → 武汉市, 区 → 武汉市江夏区); names recur across documents, and each is read once."""
    if name[:1] in "省市区县" and not any(name[:k] in lexicon.places() for k in range(2, 8)):
        return ()  # a name that starts with its level word (区社区事务受理服务中心) names no place
    m = _PLACE_CHAIN.search(name)
    if not m:
        return ()
    out, acc = [], ""
    for p in _PLACE_LINK.findall(m.group()):
        acc += p
        out.append((p[-1], acc))
    return tuple(out)


@functools.cache
def _full_forms() -> list[tuple[str, str]]:
    """Abbreviation → full form, the longest abbreviation first."""
    return sorted(_data()["full_forms"].items(), key=lambda kv: -len(kv[0]))


@functools.cache
def _abbreviations() -> tuple[str, ...]:
    """The abbreviations of :func:`_full_forms`, for one ``endswith``."""
    return tuple(short for short, _ in _full_forms())


@functools.lru_cache(maxsize=4096)
def _spelt_out(name: str) -> str:
    """``name`` with its abbreviation spelt out and its former name replaced (names recur across
    documents: each is read once)."""
    full = name
    if name.endswith(_abbreviations()):  # most names are written in full
        for short, long in _full_forms():
            if full.endswith(short) and not full.endswith(long):
                full = full[: -len(short)] + long
                break
    return _data()["former_names"].get(full, full)  # type: ignore[no-any-return]  # 农业部 → 农业农村部


def canonical_name(name: str, places: dict[str, str]) -> str | None:
    """The full name: the jurisdiction for a bare level word, abbreviations spelt out; None when
    the name starts with a level word whose place this document does not say."""
    full = _spelt_out(name)
    level = name[:1]
    if level in "省市区县镇乡州":
        if level not in places:
            return None
        full = places[level] + full[1:]
    return full


@functools.cache
def _open_not_offices() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(words of an institution, endings of a manner of handling: 就近办), which an open name is not."""
    d = _data()
    return tuple(d["open_not_institution"]), tuple(m + "办" for m in d["open_manner_of_handling"])


@functools.cache
def _post_titles() -> tuple[str, ...]:
    return tuple(_data()["open_post_titles"])


@functools.cache
def _next_words() -> tuple[str, ...]:
    d = _data()
    return tuple(d["boundary_words"] + d["open_role_cues"] + d["roles"]["co_handled_before"])


def _inside_word(text: str, start: int, end: int) -> bool:
    """Whether a name ending at ``end`` stands inside an ordinary word: the words of the text around
    it (forward and reverse maximum matching over the dictionary) do not break at its end (财政所|需资金 is
    财政|所需|资金; 民政部门 is 民政|部门), unless the word across is the post of its head (局长)."""
    pair = text[end - 1:end + 1]
    if len(pair) < 2 or not keywords.is_word(pair) or text.startswith(_post_titles(), end - 1) \
            or text.startswith(_post_titles(), end):
        return False  # no word runs across the end: only then is the segmenter asked
    if text.startswith(_next_words(), end):
        return False  # 发展改革委|会同: a role cue or boundary word follows (the dictionary reads 革委会)
    right = end
    while right < len(text) and right < end + 4 and _CJK_CHAR.match(text[right]):
        right += 1
    return end - start not in keywords.word_breaks(text[start:right])


@functools.cache
def _national_open() -> re.Pattern[str]:
    d = _data()
    return re.compile(rf"(?:{lexicon.alternation(d['national'])})"
                      rf"{lexicon.ideographs_except(d['open_not_inside'])}{{2,8}}?(?:{lexicon.alternation(d['national_open_endings'])})"
                      rf"(?![{''.join(d['not_after'])}])")


def _role_cue_words() -> tuple[str, ...]:
    """The words one of the role tests of :func:`_role` needs (a co-handling cue before a name or
    right before it, a lead or a responsibility cue): a text with none of them only mentions its
    names."""
    r = _data()["roles"]
    return tuple(r["co_handled_before"] + r["co_handler_right_after"] + r["lead_after"] + r["responsible_after"])


def _role(text: str, start: int, end: int, issuers: set[str], name: str, cued: bool = True) -> str:
    """The role of the name at ``start``–``end`` from the cue words of its clause; ``cued``: whether
    the text holds a word of :func:`_role_cue_words` (else it is mentioned, or the issuer)."""
    if name in issuers:
        return "issuer"
    if not cued:
        return "mentioned"
    last = _LAST_SENTENCE_END.match(text, max(0, start - 80), start)
    clause_start = last.end() if last else max(0, start - 80)
    next_end = _SENTENCE.search(text, end, end + 80)
    clause_end = next_end.start() if next_end else end + 80
    before, after = text[clause_start:start], text[end:clause_end]
    roles = _roles()
    if roles["co_before"].search(before) and roles["co_after"].match(after):
        return "co_handler"
    if before.endswith(roles["co_right_after"]):
        return "co_handler"
    if roles["lead"].match(after):
        return "lead"
    if roles["responsible"].match(after):
        return "responsible"
    return "mentioned"


@extractor("departments", version=7, requires=("doc_numbers",), data=("departments.yaml", "places.csv"))
def extract(doc: Document) -> Iterator[Department]:
    """Yield every department mention in reading order."""
    text = dates.mask(doc)
    d, session = _data(), _session()
    found: list[tuple[int, int]] = []
    anchors = _anchors(text)
    for m in _matches(text, anchors):
        start, end = m.span("whole")
        if session.match(text, end):
            continue
        if text.endswith("公司", start, end):  # a company (……公司), not a unit (……司) of a ministry
            continue
        level, street = m.group("level", "street")
        if street:
            street_start = _street_start(text, m.end("street") - (5 if street.endswith("办事处") else 2))
            if street_start is None:
                continue
            start = street_start
        else:
            start = _extend_left(text, start, level)
        if text.endswith(_GENERIC_BEFORE, max(0, start - 6), start):
            continue
        if level and start == m.start("whole"):
            if text.endswith(_level_not_after(level), max(0, start - 2), start):
                continue  # 社区, 城乡, 超市: the level word is inside another word
            if text[m.end("level"):m.end("level") + 1] in "省市区县镇乡":
                continue  # 区县, 乡镇: a generic collective
            if level in d["small_place_levels"]:
                start = _small_place(text, start)
        if not level and not street:
            for prefix in d["central_prefixes"]:  # 国务院|国资委
                if text[max(0, start - len(prefix)):start] != prefix or m["whole"].startswith(prefix):
                    continue
                a, b = doc.norm.source_range(start - len(prefix), end)
                if not _SPACE.search(doc.text[a:b]):  # not 国务院　中央军委, two organs of a signature
                    start -= len(prefix)
                    break
        if text[end - 1] == "委":
            for prefix in d["party_prefixes"]:  # 中共|上海市委
                if text[max(0, start - len(prefix)):start] == prefix:
                    start -= len(prefix)
                    break
        found.append((start, end))
    found = [(s, e) for s, e in found if not _inside_word(text, s, e)]
    found = _outermost(found)
    national = [m.span() for m in (_national_open().finditer(text) if anchors.national else ())
                if _word_start(text, m.start())
                and not m.group().endswith(tuple(_data()["open_not_end"]))]  # 国家发展全局: 全局 is no organ
    if national:
        overlaps = _overlap_test(found)
        found += [(s, e) for s, e in national if not overlaps(s, e) and not _inside_word(text, s, e)]
    if len(found) > 1:  # (one name or none: nothing to join)
        found = _join_street_offices(text, found)
    groups = list(_named_groups(text, anchors.group_endings)) if anchors.group_endings else []
    if groups:
        overlaps = _overlap_test(found)
        found += [span for span in groups if not overlaps(*span)]
    taken = sorted(found)
    institution, manners = _open_not_offices()
    open_spans = set(_open_organs(text, anchors))
    if anchors.post_titles:
        open_spans.update(cut for span in _post_organs(text, anchors.post_titles) if (cut := _cut_person(doc, *span)))
    for s, e in sorted(open_spans):
        i = bisect.bisect_right(taken, (s, 10**9))
        if (i and taken[i - 1][1] > s) or (i < len(taken) and taken[i][0] < e):
            continue  # inside or across a name the closed grammar found
        if _inside_word(text, s, e) or any(w in text[s:e] for w in institution) or text[s:e].endswith(manners):
            continue  # 就近办: a manner of handling, not an office
        bisect.insort(taken, (s, e))
        found.append((s, e))
    if not found:
        return
    found.sort()
    names = [doc.source_span(s, e) for s, e in found]
    issuer_texts = _issuer_texts(doc)
    places = _jurisdictions(issuer_texts + [n.text for n in names])
    issuers = set()
    for t in issuer_texts:
        t = _SPACE.sub("", t)
        issuers.update({t, canonical_name(t, places) or t})
    cued = bool(anchors.role_words)
    for (s, e), span in zip(found, names):
        name = _SPACE.sub("", span.text)
        canonical = canonical_name(name, places)
        role = _role(text, s, e, issuers, canonical or name, cued)
        yield _department({"span": span, "name": name, "canonical": canonical, "role": role})


def _cut_person(doc: Document, start: int, end: int) -> tuple[int, int] | None:
    """The name after the last space of its source text (a list of members: 周煜斌  党政办主任)."""
    s, e = doc.norm.source_range(start, end)
    source = doc.text[s:e]
    cut = max((m.start() for m in _SPACE.finditer(source)), default=-1)
    if cut < 0:
        return start, end
    if e - (s + cut + 1) < 2:
        return None
    return doc.norm.from_source(s + cut + 1), end


def _overlap_test(spans: list[tuple[int, int]]) -> Callable[[int, int], bool]:
    """Whether a span overlaps any of ``spans``: of those starting before its end, the furthest end is
    after its start (a bisect over the starts, not a scan of every span)."""
    ordered = sorted(spans)
    starts = [s for s, _ in ordered]
    reach = list(itertools.accumulate((e for _, e in ordered), max, initial=-1))

    def overlaps(start: int, end: int) -> bool:
        return reach[bisect.bisect_left(starts, end)] > start
    return overlaps


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` less those inside another span (国资委 inside 国务院国资委), in their order; one sweep
    over the distinct spans by start, widest first, not a comparison of every pair."""
    if len(spans) < 2:
        return spans
    inner, reach = set(), -1
    for s, e in sorted(set(spans), key=lambda span: (span[0], -span[1])):
        if e <= reach:
            inner.add((s, e))
        reach = max(reach, e)
    return [span for span in spans if span not in inner]


def _issuer_texts(doc: Document) -> list[str]:
    """Where the issuing body is written: signature, metadata 发布机构, the title's opening name."""
    out = []
    if doc.structure.closing.signature:
        out.extend(doc.structure.closing.signature.text.split())
    field = doc.meta("issuer")
    if field and field.value:
        out.append(field.value)
    if doc.structure.title_text and "关于" in doc.structure.title_text:
        head = doc.structure.title_text.split("关于", 1)[0]
        if 2 <= len(head) <= 30:
            out.append(head)
    return out
