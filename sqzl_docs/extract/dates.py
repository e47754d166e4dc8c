"""Dates — absolute, months, years, ranges, relative and deadline expressions, resolved against the
document's own date (成文日期, else 发布日期), never against today.

Each date has start and end, a precision and a role (published, written, deadline, period,
mention). Dates inside 《》 titles and 发文字号 are parts of names, not dates.

>>> from sqzl_docs.models import Document
>>> from sqzl_docs.structure import analyse
>>> doc = analyse(Document.from_text("到2022年，社区减负。2021年底前完成。\\n重庆市民政局\\n2021年5月11日"))
>>> for d in extract(doc):
...     print(d.span.text, d.start, d.end, d.role)
到2022年 2021-05-11 2022-12-31 deadline
2021年底前 2021-05-11 2021-12-31 deadline
2021年5月11日 2021-05-11 2021-05-11 written
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
import datetime as dt
import functools
import re
from collections.abc import Iterator

from .. import lexicon
from ..grammar.scan import blank_out, matches_at
from ..grammar.dates import parse_date
from ..grammar.numerals import to_int
from ..models import DateMention, Document, Section
from . import extractor, records

_Y = r"(?:19|20)\d\d|[〇零一二三四五六七八九]{4}"
_M = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_D = r"3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九]"
_AM = r"1[0-2]|0?[1-9]"  # Arabic month, for months standing without a year
_SEP = r"\s*(?:至|到|—+|―+|–+|-|－|~|～)\s*"


@functools.cache
def _pattern() -> re.Pattern[str]:
    cues = lexicon.load("date_cues.yaml")
    pre = lexicon.alternation(cues["before"])
    post = lexicon.alternation(cues["after"])
    plans = lexicon.alternation(list(cues["plan_periods"]))
    return re.compile(
        rf"(?P<pre>{pre})?"
        r"(?P<core>"
        rf"(?P<ymd_range>(?P<a_y>{_Y})年(?P<a_m>{_M})月(?P<a_d>{_D})[日号]{_SEP}(?:(?:(?P<b_y>{_Y})年)?(?P<b_m>{_M})月)?(?P<b_d>{_D})[日号])"
        rf"|(?P<ym_range>(?P<c_y>{_Y})年(?P<c_m>{_M})月?{_SEP}(?:(?P<d_y>{_Y})年)?(?P<d_m>{_M})月)"
        rf"|(?P<y_range>(?P<e_y>{_Y})年?{_SEP}(?P<f_y>{_Y})年)"
        rf"|(?P<y_glued>(?P<g_y>(?:19|20)\d\d)(?P<h_y>(?:19|20)\d\d)年)"
        rf"|(?P<ymd>(?P<i_y>{_Y})\s*年\s*(?P<i_m>{_M})\s*月\s*(?P<i_d>{_D})\s*[日号]"
        rf"|(?P<j_y>(?:19|20)\d\d)-(?P<j_m>{_AM})-(?P<j_d>3[01]|[12]\d|0?[1-9])(?!\d)"
        rf"|(?P<k_y>(?:19|20)\d\d)[/.](?P<k_m>{_AM})[/.](?P<k_d>3[01]|[12]\d|0?[1-9])(?![\d.]))"
        rf"|(?P<ym>(?P<l_y>{_Y})\s*年\s*(?P<l_m>{_M})\s*月份?)"
        rf"|(?P<y>(?P<n_y>{_Y})\s*年度?)"
        rf"|(?P<relm>(?P<rel2>今年|去年|明年)(?P<t_m>{_AM})月(?:(?P<t_d>3[01]|[12]\d|0?[1-9])[日号])?)"
        rf"|(?P<mlist>(?<![\d.个第])(?:(?:{_AM})、)+(?:{_AM})月(?!份?[\d日号]))"
        rf"|(?P<md>(?<![\d.个])(?P<o_m>{_AM})月(?P<o_d>3[01]|[12]\d|0?[1-9])[日号])"
        rf"|(?P<m>(?<![\d.个第])(?<!每年)(?P<p_m>{_AM})月份?(?![\d日号]))"
        r"|(?P<decade>(?P<century>上世纪|上个世纪)?(?P<q_d>[1-9]0)年代)"
        r"|(?P<rel>今年|去年|明年|本年)"
        rf"|(?P<plan>[“\"]?(?P<plan_name>{plans})[”\"]?(?P<plan_part>期间|时期|期内|后(?P<plan_tail>[两二三])年))"
        r"|(?P<nyears>(?P<near>近)(?P<r_n>\d{1,2}|[一二三四五六七八九十两]{1,2})年(?P<n_kind>来)"
        r"|(?P<s_n>\d{1,2}|[一二三四五六七八九十两]{1,2})年(?P<n_kind2>以内|内))"
        r"|(?P<bare>年底前|年内)"
        r")"
        rf"(?P<post>{post})?"
    )


@functools.cache
def _plans() -> dict[str, tuple[int, int]]:
    return {k: (v[0], v[1]) for k, v in lexicon.load("date_cues.yaml")["plan_periods"].items()}


DATE_IN_TEXT = re.compile(rf"(?:{_Y})年(?:{_M})月(?:{_D})日")


def document_date(doc: Document) -> dt.date | None:
    """The date relative expressions are resolved against: 成文日期 (signature, metadata, a dated
    subtitle), else 发布日期."""
    if doc.structure.closing.date_value:
        return doc.structure.closing.date_value
    written = written_date(doc)
    if written:
        return written
    field = doc.meta("published")
    return field.date if field and field.date else None


def written_date(doc: Document) -> dt.date | None:
    """成文日期: the signature's date, the metadata's, a dated subtitle, else a revision or effective date."""
    if doc.structure.closing.date_value:
        return doc.structure.closing.date_value
    field = doc.meta("written")
    if field and field.date:
        return field.date
    if doc.structure.subtitle:
        m = DATE_IN_TEXT.search(doc.structure.subtitle.text)
        parsed = parse_date(m.group()) if m else None
        if parsed:
            return parsed.value
    for name in ("revised",):  # an effective date (实施时间) is not when the document was written
        field = doc.meta(name)
        if field and field.date:
            return field.date
    return None


def _all_sections(sections: list[Section]) -> Iterator[Section]:
    for s in sections:
        yield s
        yield from _all_sections(s.children)


def mask(doc: Document) -> str:
    """The normalised text with 《…》 titles and document numbers blanked out (same length); computed
    once per document and extraction stage (the copies of a document share it, as they share ``norm``)."""
    return doc.derived(("dates.mask", len(doc.doc_numbers)), _compute_mask)


_mask = mask  # the name departments.py (issue 11's file) still calls


def _compute_mask(doc: Document) -> str:
    text = doc.norm.text
    ranges = [m.span() for m in re.finditer(r"《[^《》]{0,200}》", text)]
    numbers = records(doc, "doc_numbers")
    ranges += [(doc.norm.from_source(n.span.start), doc.norm.from_source(n.span.end)) for n in numbers]
    ranges += [m.span() for m in re.finditer(r"[〔【\[]\s*(?:19|20)\d\d\s*[〕】\]]", text)]
    return blank_out(text, ranges)


def _last_day(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _safe(y: int | None, m: int | None = None, d: int | None = None) -> dt.date | None:
    try:
        return dt.date(y, m or 1, d or 1) if y else None
    except (ValueError, TypeError):
        return None


def _num(s: str | None) -> int | None:
    return to_int(s) if s else None


class _Resolver:
    """Turns one match into (start, end, precision); context: the document date and the last year seen."""

    def __init__(self, doc_date: dt.date | None) -> None:
        self.d = doc_date
        self.last_year: int | None = None

    def period(self, m: re.Match[str]) -> tuple[dt.date | None, dt.date | None, str] | None:
        g = m.group
        if g("ymd_range"):
            y = _num(g("a_y"))
            start = _safe(y, _num(g("a_m")), _num(g("a_d")))
            by = _num(g("b_y")) or y
            bm = _num(g("b_m")) or _num(g("a_m"))
            end = _safe(by, bm, _num(g("b_d")))
            return (start, end, "range") if start and end and start <= end else None
        if g("ym_range"):
            y = _num(g("c_y"))
            start = _safe(y, _num(g("c_m")))
            dy = _num(g("d_y")) or y
            dm = _num(g("d_m"))
            if not start or not dy or not dm:
                return None
            end = _last_day(dy, dm)
            return (start, end, "range") if start <= end else None
        if g("y_range") or g("y_glued"):
            a, b = (_num(g("e_y")), _num(g("f_y"))) if g("y_range") else (int(g("g_y")), int(g("h_y")))
            if not a or not b or not a < b <= a + 30:
                return None
            return dt.date(a, 1, 1), dt.date(b, 12, 31), "range"
        if g("ymd"):
            y = _num(g("i_y") or g("j_y") or g("k_y"))
            value = _safe(y, _num(g("i_m") or g("j_m") or g("k_m")), _num(g("i_d") or g("j_d") or g("k_d")))
            return (value, value, "day") if value else None
        if g("ym"):
            y, mo = _num(g("l_y")), _num(g("l_m"))
            start = _safe(y, mo)
            return (start, _last_day(y, mo), "month") if start and y and mo else None
        if g("y"):
            y = _num(g("n_y"))
            return (dt.date(y, 1, 1), dt.date(y, 12, 31), "year") if y and 1900 <= y <= 2099 else None
        if g("relm"):
            if not self.d:
                return None, None, "relative"
            year = self.d.year + {"今年": 0, "去年": -1, "明年": 1}[g("rel2")]
            mo = _num(g("t_m"))
            if g("t_d"):
                value = _safe(year, mo, _num(g("t_d")))
                return (value, value, "day") if value else None
            return (dt.date(year, mo, 1), _last_day(year, mo), "month") if mo else None
        if g("md") or g("m"):
            month_year = self.last_year or (self.d.year if self.d else None)
            mo = _num(g("o_m") or g("p_m"))
            if month_year is None or mo is None:
                return None
            if g("md"):
                value = _safe(month_year, mo, _num(g("o_d")))
                return (value, value, "day") if value else None
            return dt.date(month_year, mo, 1), _last_day(month_year, mo), "month"
        if g("decade"):
            decade = int(g("q_d"))
            century = 1900 if g("century") or decade >= 30 else 2000
            return dt.date(century + decade, 1, 1), dt.date(century + decade + 9, 12, 31), "range"
        if g("plan"):
            first, last = _plans()[g("plan_name")]
            if g("plan_tail"):
                first = last - (_num(g("plan_tail")) or 1) + 1
            return dt.date(first, 1, 1), dt.date(last, 12, 31), "range"
        if g("rel"):
            if not self.d:
                return None, None, "relative"
            y = self.d.year + {"今年": 0, "本年": 0, "去年": -1, "明年": 1}[g("rel")]
            return dt.date(y, 1, 1), dt.date(y, 12, 31), "relative"
        if g("nyears"):
            n = _num(g("r_n") or g("s_n"))
            if not self.d or not n:
                return None, None, "relative"
            try:
                other = self.d.replace(year=self.d.year + (-n if g("n_kind") == "来" else n))
            except ValueError:
                other = self.d.replace(year=self.d.year + (-n if g("n_kind") == "来" else n), day=28)
            return (other, self.d, "relative") if g("n_kind") == "来" else (self.d, other, "relative")
        if g("bare"):
            if not self.d:
                return None, None, "relative"
            return self.d, dt.date(self.d.year, 12, 31), "relative"
        return None


def _apply_cues(pre: str | None, post: str | None, start: dt.date | None, end: dt.date | None,
                precision: str, d: dt.date | None, *, within: bool = False
                ) -> tuple[dt.date | None, dt.date | None, str]:
    """Cue words: 年底/月底/上半年 narrow the period; 到/前/内 make a deadline; 起/以来 a span to D."""
    role = "mention"
    if post in ("底", "年底", "末", "年末", "底前", "年底前") and end is not None:
        if precision == "month":
            start = dt.date(end.year, end.month, 21)
        else:
            start = dt.date(end.year, 12, 1)
    elif post == "上半年" and start is not None:
        start, end = dt.date(start.year, 1, 1), dt.date(start.year, 6, 30)
    elif post == "下半年" and start is not None:
        start, end = dt.date(start.year, 7, 1), dt.date(start.year, 12, 31)
    if post in ("起", "开始", "以来") or pre in ("从", "自"):
        if d is not None and start is not None and start <= d:
            return start, d, "period"
        return start, None, "period"  # starts after the document's date: no end is said
    deadline = pre in ("到", "至", "截至", "截止", "截止到", "力争到", "于") or (
        post in ("前", "以前", "之前", "底前", "年底前", "内", "以内", "年内"))
    if deadline or within:
        role = "deadline"
        if d is None:
            start = None  # the start of a deadline is the document's date, which is not known
        elif post in ("内", "以内", "年内") and end is not None and end.year == d.year:
            start = d
        elif d is not None and end is not None and end >= d:
            start = d
        elif d is not None and end is not None and end < d:
            start = None
    elif precision == "range":
        role = "period"
    return start, end, role


def _month_list(doc: Document, m: re.Match[str], resolver: _Resolver) -> list[DateMention]:
    """7、8、10月: one month date each, in the year the context gives."""
    year = resolver.last_year or (resolver.d.year if resolver.d else None)
    out = []
    for part in re.finditer(r"\d{1,2}(?:月)?", m.group()):
        month = int(part.group().rstrip("月"))
        if year is None or not 1 <= month <= 12:
            continue
        span = doc.source_span(m.start() + part.start(), m.start() + part.end())
        out.append(DateMention(span=span, start=dt.date(year, month, 1), end=_last_day(year, month),
                               precision="month"))
    return out


# Every date expression starts with one of these (a cue word, a digit, a Chinese numeral, 今/去/明/本,
# 上世纪, 近, a quoted plan name, or 年 of 年内/年底前): the grammar is tried only there.
_TRIGGER = re.compile(r"[到至截从\d〇零一二三四五六七八九十两今去明本上近“\"年]")


def _matches(text: str) -> Iterator[re.Match[str]]:
    """``_pattern().finditer(text)``, trying the grammar only where a date can start."""
    return matches_at(_pattern(), text, (t.start() for t in _TRIGGER.finditer(text)))


@extractor("dates", version=1, requires=("doc_numbers",), data=("date_cues.yaml",))
def extract(doc: Document) -> Iterator[DateMention]:
    """Yield every date expression in reading order."""
    text = mask(doc)
    d = document_date(doc)
    resolver = _Resolver(d)
    published = {f.span.start for f in doc.metadata if f.name == "published" and f.span}
    written = {f.span.start for f in doc.metadata if f.name == "written" and f.span}
    closing = doc.structure.closing.date
    if closing is not None:
        written.add(closing.start)
    line_start = 0
    found: list[DateMention] = []
    item_starts = sorted(doc.norm.from_source(s.span.start) for s in _all_sections(doc.structure.sections))
    item = -1
    furniture = [(b.start, b.end) for b in doc.structure.boilerplate if "<" in b.text]  # markup lines
    kept = {f.span.start for f in doc.metadata if f.span and f.name in ("written", "published", "revised")}
    for m in _matches(text):
        source_start = doc.norm.source_range(m.start(), m.end())[0]
        if source_start not in kept and any(s <= source_start < e for s, e in furniture):
            continue  # page furniture (an effective date in a banner), unless it is the page's metadata
        if m["mlist"]:
            found.extend(_month_list(doc, m, resolver))
            continue
        nl = text.rfind("\n", 0, m.start())
        at = bisect_right(item_starts, m.start())
        current = item_starts[at - 1] if at else -1
        if nl != line_start or current != item:  # a new paragraph or item: no year carries over
            line_start, item = nl, current
            resolver.last_year = None
        resolved = resolver.period(m)
        if resolved is None:
            continue
        start, end, precision = resolved
        if precision in ("day", "month", "year", "range") and start is not None or m["rel"] and start:
            resolver.last_year = start.year
        within = bool(m["bare"] or m["n_kind2"])
        start, end, role = _apply_cues(m["pre"], m["post"], start, end, precision, d, within=within)
        span = doc.source_span(m.start(), m.end())
        if span.start in published:
            role = "published"
        elif span.start in written:
            role = "written"
        found.append(DateMention(span=span, start=start, end=end, precision=precision, role=role))  # type: ignore[arg-type]
    repaired = doc.structure.closing.date_repaired
    if closing is not None and repaired and closing.start not in {f.span.start for f in found}:
        value = doc.structure.closing.date_value
        found.append(DateMention(span=closing, start=value, end=value, precision="day", role="written",
                                 repaired=True))
    yield from sorted(found, key=lambda r: r.span.start)
