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

import datetime as dt
import functools
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from typing import TypeVar

from ..grammar import dates as grammar
from ..grammar.dates import ABSOLUTE_DAY, Context, last_day, parse_date
from ..grammar.scan import blank_out
from ..models import MetaField, DateMention, Document, Section, maker
from . import extractor, records

T = TypeVar("T")
_date_mention = maker(DateMention)  # DateMention(**fields), a record per date found


def _of_head_and_tail(name: str, compute: Callable[[Document], T]) -> Callable[[Document], T]:
    """``compute``, a function of a document's structure and metadata only, remembered per document
    (the extractors ask for its dates several times): kept beside the structure and metadata it was
    computed from, and computed again for a copy that has others."""

    @functools.wraps(compute)
    def remembered(doc: Document) -> T:
        memo = doc.__dict__.setdefault("_derived", {})
        hit = memo.get(name)
        if hit is not None and hit[0] is doc.structure and hit[1] is doc.metadata:
            return hit[2]  # type: ignore[no-any-return]
        value = compute(doc)
        memo[name] = (doc.structure, doc.metadata, value)
        return value
    return remembered


def _document_date(doc: Document) -> dt.date | None:
    """The date relative expressions are resolved against: 成文日期 (signature, metadata, a dated
    subtitle), else 发布日期."""
    if doc.structure.closing.date_value:
        return doc.structure.closing.date_value
    written = written_date(doc)
    if written:
        return written
    field = published_field(doc)
    return field.date if field and field.date else None


def _published_field(doc: Document) -> MetaField | None:
    """发布日期; on a page whose only date is another label's (实施时间, 修订时间), that date (rules of 1.1)."""
    field = doc.meta("published")
    if field and field.date:
        return field
    if doc.structure.closing.date_value or written_date(doc):
        return field
    for name in ("effective", "revised"):
        other = doc.meta(name)
        if other and other.date:
            return other
    return field


def _written_date(doc: Document) -> dt.date | None:
    """成文日期: the signature's date, the metadata's, a dated subtitle, else a revision or effective date.
    A signature of another body than the issuer's closes an enclosure (国家教委's 请示 under 国务院办公厅's
    转发 notice): then the metadata's 成文日期 is the document's own."""
    if doc.structure.closing.date_value and not enclosure_signed(doc):
        return doc.structure.closing.date_value
    field = doc.meta("written")
    if field and field.date:
        return field.date
    if doc.structure.subtitle:
        m = ABSOLUTE_DAY.search(doc.structure.subtitle.text)
        parsed = parse_date(m.group()) if m else None
        if parsed:
            return parsed.value
    for name in ("revised",):  # an effective date (实施时间) is not when the document was written
        field = doc.meta(name)
        if field and field.date:
            return field.date
    return None


document_date = _of_head_and_tail("dates.document_date", _document_date)
published_field = _of_head_and_tail("dates.published_field", _published_field)
written_date = _of_head_and_tail("dates.written_date", _written_date)


def enclosure_signed(doc: Document) -> bool:
    """Whether the closing signature is an enclosure's: the metadata names the issuer and a written date,
    and the signature names neither the issuer nor anything the issuer's name holds."""
    issuer, written, signature = doc.meta("issuer"), doc.meta("written"), doc.structure.closing.signature
    if not (issuer and issuer.value and written and written.date and signature):
        return False
    signed = re.sub(r"\s+", "", signature.text)
    return bool(signed) and signed not in issuer.value and issuer.value not in signed \
        and written.date != doc.structure.closing.date_value


def _all_sections(sections: list[Section]) -> Iterator[Section]:
    for s in sections:
        yield s
        yield from _all_sections(s.children)


def mask(doc: Document) -> str:
    """The normalised text with 《…》 titles and document numbers blanked out (same length); computed
    once per document and extraction stage (the copies of a document share it, as they share ``norm``)."""
    return doc.derived(("dates.mask", len(doc.doc_numbers)), _compute_mask)




_TITLE_QUOTE = re.compile(r"《[^《》]{0,200}》")
_BRACKETED_YEAR = re.compile(r"[〔【\[]\s*(?:19|20)\d\d\s*[〕】\]]")
_TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")


def _compute_mask(doc: Document) -> str:
    text = doc.norm.text
    ranges = [m.span() for m in _TITLE_QUOTE.finditer(text)] if "《" in text else []
    numbers = records(doc, "doc_numbers")
    if numbers:
        ranges += [(doc.norm.from_source(n.span.start), doc.norm.from_source(n.span.end)) for n in numbers]
    if "〔" in text or "【" in text or "[" in text:  # what a bracketed year opens with (str's search is quicker)
        ranges += [m.span() for m in _BRACKETED_YEAR.finditer(text)]
    return blank_out(text, ranges) if ranges else text


def _apply_cues(pre: str | None, post: str | None, start: dt.date | None, end: dt.date | None,
                precision: str, d: dt.date | None, *, within: bool = False
                ) -> tuple[dt.date | None, dt.date | None, str]:
    """What the cue words say (``date_cues.yaml``): 年底/上半年 narrow the period; 到/前/内 make a
    deadline; 起/以来 a period up to the document's date D. Returns (start, end, role)."""
    cues = grammar.date_cues()
    said = [c for c in (cues.before.get(pre or ""), cues.after.get(post or "")) if c is not None]
    if precision == "year" and start is not None and any(c.exclusive for c in said):
        return None, dt.date(start.year - 1, 12, 31), "deadline"  # 2015年以前: up to the year before
    narrow = next((c.narrow for c in said if c.narrow), None)
    if narrow == "end" and end is not None:
        start = dt.date(end.year, end.month, 21) if precision == "month" else dt.date(end.year, 12, 1)
    elif narrow == "first_half" and start is not None:
        start, end = dt.date(start.year, 1, 1), dt.date(start.year, 6, 30)
    elif narrow == "second_half" and start is not None:
        start, end = dt.date(start.year, 7, 1), dt.date(start.year, 12, 31)
    roles = {c.role for c in said}
    if "period" in roles:
        if d is not None and start is not None and start <= d:
            return start, d, "period"
        return start, None, "period"  # starts after the document's date: no end is said
    if "deadline" in roles or within:
        if d is None:
            start = None  # the start of a deadline is the document's date, which is not known
        elif any(c.within for c in said) and end is not None and end.year == d.year:
            start = d
        elif end is not None and end >= d:
            start = d
        elif end is not None and end < d:
            start = None
        return start, end, "deadline"
    return start, end, "period" if precision == "range" else "mention"


def title_year(doc: Document) -> int | None:
    """The one year the title names (2020年元旦放假安排的通知, 2025年……重点工作安排); None when it names
    none or several (2021年—2023年)."""
    years = set(_TITLE_YEAR.findall(doc.structure.title_text or ""))
    return int(years.pop()) if len(years) == 1 else None


def _paired(m: re.Match[str], text: str) -> tuple[str | None, int, str | None, int]:
    """The cues around a date and where its text starts and ends: a cue that pairs with cues after
    the date (从……起) is left out of the text, and means nothing, without one of them; a cue after
    a word it cannot follow (期内|开始) is the sentence's verb."""
    cues = grammar.date_cues()
    pre, post, begin, end = m["pre"], m["post"], m.start(), m.end()
    after = cues.after.get(post or "")
    if after is not None and after.not_after and text.endswith(tuple(after.not_after), 0, m.start("post")):
        post, end = None, m.start("post")
    if grammar.form(m).name == "anchored":
        return None, begin, None, end  # 从X年起用N年时间: the form says it all, its 从 belongs to the text
    cue = cues.before.get(pre or "")
    if cue is not None and cue.pairs_with and (post or "") not in cue.pairs_with:
        pre, begin = None, m.end("pre")  # where the form starts
    return pre, begin, post, end


def _month_list(doc: Document, m: re.Match[str], context: Context) -> list[DateMention]:
    """7、8、10月: one month date each, in the year the context gives."""
    year = context.last_year or (context.doc_date.year if context.doc_date else None)
    out = []
    for part in re.finditer(r"\d{1,2}(?:月)?", m.group()):
        month = int(part.group().rstrip("月"))
        if year is None or not 1 <= month <= 12:
            continue
        span = doc.source_span(m.start() + part.start(), m.start() + part.end())
        out.append(DateMention(span=span, start=dt.date(year, month, 1), end=last_day(year, month),
                               precision="month"))
    return out


# Precisions of a date that names its year: the year later months and days of its paragraph fall in.
_YEAR_SETTING = ("day", "month", "year", "range")


@extractor("dates", version=4, requires=("doc_numbers",), data=("date_cues.yaml",))
def extract(doc: Document) -> Iterator[DateMention]:
    """Yield every date expression in reading order."""
    text = mask(doc)
    d = document_date(doc)
    context = Context(d, None, title_year(doc))
    published: set[int] = set()
    written: set[int] = set()
    kept: set[int] = set()  # dates of the page's metadata: kept even on page furniture
    for f in doc.metadata:
        if f.span and f.name in ("written", "published", "revised"):
            kept.add(f.span.start)
            if f.name == "published":
                published.add(f.span.start)
            elif f.name == "written":
                written.add(f.span.start)
    closing = doc.structure.closing.date
    if closing is not None and not enclosure_signed(doc):
        written.add(closing.start)
    line_start = 0
    found: list[DateMention] = []
    sections = doc.structure.sections
    item_starts = sorted(doc.norm.from_source(s.span.start) for s in _all_sections(sections)) if sections else []
    item = -1
    furniture = [(b.start, b.end) for b in doc.structure.boilerplate if "<" in b.text]  # markup lines
    for m in grammar.expressions(text):
        begin, stop = m.span()
        if furniture:
            source_start = doc.norm.source_range(begin, stop)[0]
            if source_start not in kept and any(s <= source_start < e for s, e in furniture):
                continue  # page furniture (an effective date in a banner), unless it is the page's metadata
        form = grammar.form(m)
        if form.name == "short_within" and grammar.counted_from_event(text, begin):
            continue  # a procedure's time limit (自受理之日起30日内): a duration, counted as a metric
        if form.name == "mlist":
            found.extend(_month_list(doc, m, context))
            continue
        nl = text.rfind("\n", 0, begin)
        at = bisect_right(item_starts, begin) if item_starts else 0
        current = item_starts[at - 1] if at else -1
        if nl != line_start or current != item:  # a new paragraph or item: no year carries over
            line_start, item = nl, current
            if context.last_year is not None:
                context = Context(d, None, context.default_year)
        resolved = grammar.resolve(m, context)
        if resolved is None:
            continue
        start, end, precision = resolved
        if start is not None and (precision in _YEAR_SETTING or form.name == "rel") and start.year != context.last_year:
            context = Context(d, start.year, context.default_year)
        pre, post = m.group("pre", "post")
        if pre is None and post is None and not form.within:  # no cue (most dates): what _apply_cues gives
            role = "period" if precision == "range" else "mention"
        else:
            pre, begin, post, stop = _paired(m, text)
            start, end, role = _apply_cues(pre, post, start, end, precision, d, within=form.within)
        span = doc.source_span(begin, stop)
        if span.start in published:
            role = "published"
        elif span.start in written:
            role = "written"
        found.append(_date_mention({"span": span, "start": start, "end": end, "precision": precision, "role": role}))
    repaired = doc.structure.closing.date_repaired
    if closing is not None and repaired and closing.start not in {f.span.start for f in found}:
        value = doc.structure.closing.date_value
        found.append(DateMention(span=closing, start=value, end=value, precision="day", role="written",
                                 repaired=True))
    yield from sorted(found, key=lambda r: r.span.start)
