"""Absolute calendar dates: 2021年11月22日, 2021-11-22, 二〇二一年十一月二十二日, and the damaged
compact forms web scraping leaves at a signature (``2021511`` → 2021-05-11).

>>> parse_date("二〇二一年十一月二十二日")
ParsedDate(value=datetime.date(2021, 11, 22), repaired=False)
>>> parse_date("2021511")
ParsedDate(value=datetime.date(2021, 5, 11), repaired=True)
>>> parse_date("2021111") is None  # 11-1 or 1-11: not certain, not restored
True
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from .. import lexicon
from .numerals import CN_DIGITS, to_int
from .scan import guard

_CN = f"[{CN_DIGITS}]"
ABSOLUTE_DAY = re.compile(
    rf"(?P<y>(?:19|20)\d\d|{_CN}{{4}})\s*年\s*(?P<m>\d{{1,2}}|{_CN}{{1,2}})\s*月\s*(?P<d>\d{{1,2}}|{_CN}{{1,3}})\s*[日号]"
    r"|(?P<y2>(?:19|20)\d\d)\s*[-/.]\s*(?P<m2>\d{1,2})\s*[-/.]\s*(?P<d2>\d{1,2})(?!\d)"
)
COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<rest>\d{3,4})(?!\d)")
# Any whole date (absolute or compact), without named groups, for searching inside a line.
DATE_TOKEN = re.compile(
    re.sub(r"\(\?P<\w+>", "(?:", ABSOLUTE_DAY.pattern) + "|" + re.sub(r"\(\?P<\w+>", "(?:", COMPACT.pattern))
# Every date token starts with the 1 or 2 of 19xx/20xx or with a Chinese numeral.
_DATE_TOKEN_START = re.compile(rf"[12{CN_DIGITS}]")


def date_tokens(text: str) -> Iterator[re.Match[str]]:
    """``DATE_TOKEN.finditer(text)``, trying the pattern only where a date can start."""
    return _guarded_date_token().finditer(text)


@functools.cache
def _guarded_date_token() -> re.Pattern[str]:
    """:data:`DATE_TOKEN` behind a look-ahead for where a date can start (the scan in C)."""
    return guard(_DATE_TOKEN_START, DATE_TOKEN)


class ParsedDate(NamedTuple):
    value: dt.date
    repaired: bool


def make_date(year: int | None, month: int | None, day: int | None) -> dt.date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> ParsedDate | None:
    """Parse a string that is one whole date; None when it is not (or not certainly) one."""
    text = text.strip()
    m = ABSOLUTE_DAY.fullmatch(text)
    if m:
        if m["y"]:
            value = make_date(to_int(m["y"]), to_int(m["m"]), to_int(m["d"].rstrip("日号")))
        else:
            value = make_date(int(m["y2"]), int(m["m2"]), int(m["d2"]))
        return ParsedDate(value, False) if value else None
    m = COMPACT.fullmatch(text)
    if m:
        value = compact_date(int(m["y"]), m["rest"])
        return ParsedDate(value, True) if value else None
    return None


def compact_date(year: int, rest: str) -> dt.date | None:
    """Read ``MDD``/``MMD``/``MMDD`` after a year when exactly one reading is a real date."""
    readings = set()
    for cut in range(1, len(rest)):
        month, day = rest[:cut], rest[cut:]
        if len(month) > 2 or len(day) > 2 or (len(month) == 2 and month[0] == "0" and len(rest) == 3):
            continue
        value = make_date(year, int(month), int(day))
        if value:
            readings.add(value)
    return readings.pop() if len(readings) == 1 else None


# ---------------------------------------------------------------- date expressions in running text
# A table of named forms, each a pattern and the resolver that turns its match into (start, end,
# precision), as dateparser keeps its parsers apart from its language data. Group names inside a form
# are its own (``y``, ``m`` …); the combined pattern prefixes them with the form's name. Cue words
# before and after a form (到, 年底前 …) come from ``date_cues.yaml``, which also says what they mean.

_Y = r"(?:19|20)\d\d|[〇零一二三四五六七八九]{4}"
_Y_OPENS = "12〇零一二三四五六七八九"  # the characters a year opens with
_M = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_D = r"3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九]"
_AM = r"1[0-2]|0?[1-9]"  # Arabic month, for months standing without a year
_AD = r"3[01]|[12]\d|0?[1-9]"  # Arabic day
_SEP = r"\s*(?:至|到|—+|―+|–+|-|－|~|～)\s*"
_CN_COUNT = r"\d{1,2}|[一二三四五六七八九十两]{1,2}"
_COUNT_OPENS = r"\d一二三四五六七八九十两"

Period = tuple[dt.date | None, dt.date | None, str]  # start, end, precision


class Context(NamedTuple):
    """What a relative expression is resolved against: the document's date and the last year seen."""

    doc_date: dt.date | None
    last_year: int | None
    default_year: int | None = None  # the one year a title names (2020年元旦放假安排): bare months fall in it


Group = Callable[[str], "str | None"]
Resolver = Callable[[Group, Context], "Period | None"]


def _n(s: str | None) -> int | None:
    return to_int(s) if s else None


def _first(year: int | None, month: int | None = None, day: int | None = None) -> dt.date | None:
    """The date, with a missing month or day taken as the first (a period's start)."""
    return make_date(year, month or 1, day or 1) if year else None


def last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _day_range(g: Group, c: Context) -> Period | None:
    y = _n(g("y"))
    start = _first(y, _n(g("m")), _n(g("d")))
    end = _first(_n(g("y2")) or y, _n(g("m2")) or _n(g("m")), _n(g("d2")))
    return (start, end, "range") if start and end and start <= end else None


def _month_range(g: Group, c: Context) -> Period | None:
    y = _n(g("y"))
    start = _first(y, _n(g("m")))
    y2, m2 = _n(g("y2")) or y, _n(g("m2"))
    if not start or not y2 or not m2:
        return None
    end = last_day(y2, m2)
    return (start, end, "range") if start <= end else None


def _year_range(g: Group, c: Context) -> Period | None:
    a, b = _n(g("y")), _n(g("y2"))
    if not a or not b or not a < b <= a + 30:
        return None
    return dt.date(a, 1, 1), dt.date(b, 12, 31), "range"


def _day(g: Group, c: Context) -> Period | None:
    value = _first(_n(g("y")), _n(g("m")), _n(g("d")))
    return (value, value, "day") if value else None


def _month(g: Group, c: Context) -> Period | None:
    y, mo = _n(g("y")), _n(g("m"))
    start = _first(y, mo)
    return (start, last_day(y, mo), "month") if start and y and mo else None


def _year(g: Group, c: Context) -> Period | None:
    y = _n(g("y"))
    return (dt.date(y, 1, 1), dt.date(y, 12, 31), "year") if y and 1900 <= y <= 2099 else None


_RELATIVE_YEAR = {"今年": 0, "本年": 0, "去年": -1, "明年": 1}


def _relative_month(g: Group, c: Context) -> Period | None:
    if not c.doc_date:
        return None, None, "relative"
    year = c.doc_date.year + _RELATIVE_YEAR[g("which") or ""]
    mo = _n(g("m"))
    if g("d"):
        value = _first(year, mo, _n(g("d")))
        return (value, value, "day") if value else None
    return (dt.date(year, mo, 1), last_day(year, mo), "month") if mo else None


def _month_in_context(g: Group, c: Context) -> Period | None:
    """A month (and day) without a year: the year the paragraph last named, else the document's."""
    year = c.last_year or c.default_year or (c.doc_date.year if c.doc_date else None)
    mo = _n(g("m"))
    if year is None or mo is None:
        return None
    if g("d"):
        value = _first(year, mo, _n(g("d")))
        return (value, value, "day") if value else None
    return dt.date(year, mo, 1), last_day(year, mo), "month"


def _decade(g: Group, c: Context) -> Period | None:
    decade = int(g("d") or 0)
    century = 1900 if g("century") or decade >= 30 else 2000
    return dt.date(century + decade, 1, 1), dt.date(century + decade + 9, 12, 31), "range"


def _plan(g: Group, c: Context) -> Period | None:
    first, last = plan_periods()[g("name") or ""]
    if g("tail"):
        first = last - (_n(g("tail")) or 1) + 1
    return dt.date(first, 1, 1), dt.date(last, 12, 31), "range"


def _quarter(g: Group, c: Context) -> Period | None:
    """一季度: the year written with it, else the one 今年/去年/明年 names, else the year the text last
    named, else the document's."""
    q = _n(g("q")) or int(g("q") or 0)
    if g("y"):
        year: int | None = _n(g("y"))
    elif g("which"):
        if not c.doc_date:
            return None, None, "relative"
        year = c.doc_date.year + _RELATIVE_YEAR[g("which") or ""]
    else:
        year = c.last_year or (c.doc_date.year if c.doc_date else None)
    if not year or not 1 <= q <= 4:
        return None
    return dt.date(year, 3 * q - 2, 1), last_day(year, 3 * q), "range"


def _relative_year(g: Group, c: Context) -> Period | None:
    if not c.doc_date:
        return None, None, "relative"
    y = c.doc_date.year + _RELATIVE_YEAR[g("which") or ""]
    return dt.date(y, 1, 1), dt.date(y, 12, 31), "relative"


def _years(sign: int) -> Resolver:
    """近三年来 (sign -1: the years up to the document's date) or 三年内 (+1: the years after it)."""
    def resolve(g: Group, c: Context) -> Period | None:
        n = _n(g("n"))
        d = c.doc_date
        if not d or not n:
            return None, None, "relative"
        try:
            other = d.replace(year=d.year + sign * n)
        except ValueError:
            other = d.replace(year=d.year + sign * n, day=28)
        return (other, d, "relative") if sign < 0 else (d, other, "relative")
    return resolve


def _add_months(d: dt.date, n: int) -> dt.date:
    month = d.month - 1 + n
    year, month = d.year + month // 12, month % 12 + 1
    return make_date(year, month, min(d.day, calendar.monthrange(year, month)[1])) or d


def _short_term(g: Group, c: Context) -> Period | None:
    """3个月内, 30日内, 两周内: a one-off deadline counted from the document's date (rules of 1.1). A
    procedural time limit counted from an event that recurs (自受理之日起15日内, 收到申请后30日内) is a
    duration, not a date: see :func:`counted_from_event`."""
    n = _n(g("n"))
    d = c.doc_date
    if not d or not n:
        return None, None, "relative"
    unit = g("unit") or ""
    if unit.endswith("月"):
        return d, _add_months(d, n), "relative"
    return d, d + dt.timedelta(days=n * (7 if unit in ("周", "个星期", "星期") else 1)), "relative"


_SENTENCE_END = re.compile(r"[。；;！？!?\n]")


def counted_from_event(text: str, start: int) -> bool:
    """Whether a short term (30日内) at ``start`` is counted from an event rather than from the document:
    its sentence names an event that recurs before it (之日起, 后), or a word other than 在/于/限 or a
    clause break stands right before it (新生儿出生28天内)."""
    cues = date_cues()
    before = text[max(0, start - 2):start]
    if start and not before.endswith(tuple(cues.short_term_after)) and before[-1:] not in "，,：:（(\n 　":
        return True
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 80), start)), default=max(0, start - 80))
    return any(w in text[begin:start] for w in cues.recurring_event_ends)


def _anchored(g: Group, c: Context) -> Period | None:
    y, n = _n(g("y")), _n(g("n"))
    if not y or not n:
        return None
    return dt.date(y, 1, 1), dt.date(y + n - 1, 12, 31), "range"


def _rest_of_year(g: Group, c: Context) -> Period | None:
    if not c.doc_date:
        return None, None, "relative"
    return c.doc_date, dt.date(c.doc_date.year, 12, 31), "relative"


def _no_date(g: Group, c: Context) -> Period | None:
    return None


class Form(NamedTuple):
    name: str
    pattern: str
    resolve: Resolver
    within: bool = False  # 年内, 三年内: a deadline counted from the document's date
    # The characters a match of the form opens with (a character class's contents): the quick grammar
    # tries the form only where one of them stands (tests/test_scanning.py compares it with the plain one).
    opens: str = ""


def _forms() -> tuple[Form, ...]:
    plans = lexicon.alternation(list(plan_periods()))
    plan_opens = "".join(re.escape(c) for c in sorted({name[0] for name in plan_periods()}))
    return (
        # 从2021年起用3年时间: one span from the year written, not a date and a metric (rules of 1.1)
        Form("anchored", rf"(?P<y>{_Y})年起?[，,]?(?:力争)?用(?P<n>{_CN_COUNT})年(?:左右)?(?:的)?时间", _anchored,
             opens=_Y_OPENS),
        Form("ymd_range", rf"(?P<y>{_Y})年(?P<m>{_M})月(?P<d>{_D})[日号]{_SEP}(?:(?:(?P<y2>{_Y})年)?(?P<m2>{_M})月)?"
                          rf"(?P<d2>{_D})[日号]", _day_range, opens=_Y_OPENS),
        Form("ym_range", rf"(?P<y>{_Y})年(?P<m>{_M})月?{_SEP}(?:(?P<y2>{_Y})年)?(?P<m2>{_M})月", _month_range,
             opens=_Y_OPENS),
        Form("y_range", rf"(?P<y>{_Y})年?{_SEP}(?P<y2>{_Y})年", _year_range, opens=_Y_OPENS),
        Form("y_glued", r"(?P<y>(?:19|20)\d\d)(?P<y2>(?:19|20)\d\d)年", _year_range, opens="12"),
        Form("ymd", rf"(?P<y>{_Y})\s*年\s*(?P<m>{_M})\s*月\s*(?P<d>{_D})\s*[日号]", _day, opens=_Y_OPENS),
        Form("ymd_dash", rf"(?P<y>(?:19|20)\d\d)-(?P<m>{_AM})-(?P<d>{_AD})(?!\d)", _day, opens="12"),
        Form("ymd_dot", rf"(?P<y>(?:19|20)\d\d)[/.](?P<m>{_AM})[/.](?P<d>{_AD})(?![\d.])", _day, opens="12"),
        Form("quarter", rf"(?P<which>今年|去年|明年)?(?:(?P<y>{_Y})年)?第?(?P<q>[一二三四1-4])季度", _quarter,
             opens=f"今去明{_Y_OPENS}第一二三四1-4"),
        Form("ym", rf"(?P<y>{_Y})\s*年\s*(?P<m>{_M})\s*月份?", _month, opens=_Y_OPENS),
        Form("y", rf"(?P<y>{_Y})\s*年度?", _year, opens=_Y_OPENS),
        Form("relm", rf"(?P<which>今年|去年|明年)(?P<m>{_AM})月(?:(?P<d>{_AD})[日号])?", _relative_month,
             opens="今去明"),
        Form("mlist", rf"(?<![\d.个第])(?:(?:{_AM})、)+(?:{_AM})月(?!份?[\d日号])", _no_date,
             opens=r"\d"),  # one date a month
        Form("md", rf"(?<![\d.个])(?P<m>{_AM})月(?P<d>{_AD})[日号]", _month_in_context, opens=r"\d"),
        Form("m", rf"(?<![\d.个第])(?<!每年)(?P<m>{_AM})月份?(?![\d日号])", _month_in_context, opens=r"\d"),
        Form("decade", r"(?P<century>上世纪|上个世纪)?(?P<d>[1-9]0)年代", _decade, opens="上1-9"),
        Form("rel", r"(?P<which>今年|去年|明年|本年)", _relative_year, opens="今去明本"),
        Form("plan", rf"[“\"]?(?P<name>{plans})[”\"]?(?:期间|时期|期内|后(?P<tail>[两二三])年)", _plan,
             opens=f"“\"{plan_opens}"),
        # a quoted plan name standing for its period (为“十四五”收好尾), not for the plan (“十四五”规划)
        Form("plan_bare", rf"[“\"](?P<name>{plans})[”\"](?!{lexicon.alternation(_plan_documents())})", _plan,
             opens="“\""),
        Form("years_since", rf"近(?P<n>{_CN_COUNT})年来", _years(-1), opens="近"),
        Form("years_within", rf"(?P<n>{_CN_COUNT})年(?:以内|内)", _years(1), within=True,
             opens=_COUNT_OPENS),
        Form("short_within", rf"(?<!\d)(?P<n>{_CN_COUNT})(?P<unit>个月|个星期|星期|周|日|天)(?:以内|之内|内)(?![\d])",
             _short_term, within=True, opens=_COUNT_OPENS),
        # 用5年左右时间 with no start written: like 5年内, from the document's date (rules of 1.1)
        Form("years_using", rf"(?<!再)用(?P<n>{_CN_COUNT})年(?:左右)?时间", _years(1), within=True, opens="用"),
        Form("bare", r"年底前|年内", _rest_of_year, within=True, opens="年"),
    )


@functools.cache
def forms() -> dict[str, Form]:
    return {f.name: f for f in _forms()}


def _own_groups(f: Form) -> str:
    """The form's pattern with its group names prefixed by its name (``y`` → ``ymd__y``)."""
    return re.sub(r"\(\?P<(\w+)>", lambda g: f"(?P<{f.name}__{g[1]}>", f.pattern)


def plain_expression() -> str:
    """Every date expression: a cue before (``pre``), one form, a cue after (``post``)."""
    return _grammar(quick=False)


def _grammar(*, quick: bool) -> str:
    """:func:`plain_expression`; ``quick``, with each form behind a look-ahead for the characters it
    opens with (``Form.opens``; no group: the groups keep their names and numbers), so that a form
    that cannot start where the grammar is tried is ruled out by a look at one character."""
    cues = date_cues()
    alternatives = "|".join(f"(?=[{f.opens}])(?P<{f.name}>{_own_groups(f)})" if quick and f.opens
                            else f"(?P<{f.name}>{_own_groups(f)})" for f in forms().values())
    return (rf"(?P<pre>{lexicon.alternation(list(cues.before))})?(?:{alternatives})"
            rf"(?P<post>{lexicon.alternation(list(cues.after))})?")


@functools.cache
def expression() -> re.Pattern[str]:
    """:func:`plain_expression` behind a look-ahead for :func:`_trigger` (which holds no group: the
    groups keep their names and numbers), each form behind one for the characters it opens with: it
    matches where the plain grammar does, as a date starts only where the trigger finds one and a
    form only at the characters it opens with (tests/test_scanning.py compares the two at every digit
    and numeral), and ``finditer`` tries the grammar only there, the scan in C. One pattern compiled,
    not the plain one too (start-up)."""
    return re.compile(f"(?={_trigger().pattern})(?:{_grammar(quick=True)})")


_NUMERALS = "〇零一二三四五六七八九十两"
# What a form can want right after a number: 年, 月, 季度, and the units of a short term (3个月内,
# 30日内, 两周内, 3天内, 一个星期内), which a digit or numeral before them must be tried for. A new form
# that opens with a number must add what follows its number here (tests/test_scanning.py compares the
# matches with those of a scan at every digit and numeral).
_AFTER_COUNT = r"[年月季周日天]|个(?:月|星期)|星期"


def _form_opens() -> str:
    """The characters some form opens with (a character class's contents): what follows a cue word
    that opens a date (到2022年, 从今年起), as no form opens with a cue's own characters."""
    return "".join(dict.fromkeys(f.opens for f in forms().values()))


@functools.cache
def _trigger() -> re.Pattern[str]:
    """Where a date expression can start, and the grammar is tried: a cue word (到, 截至 …) before a
    character a form opens with; a digit from which the rest of its number can be a year, month or
    count (every form that starts with digits reads them to the end of the number, up to eight, and
    then wants 年, 月, 季度, a unit of a short term or the 、 and next month of a list of months; only
    a year, four digits from 1 or 2, is followed by a separator, a space, / or . — not the digits of a
    telephone number); a Chinese numeral before another or one of those; 今年/去年/明年/本年; 上世纪;
    近N年来; a plan name, quoted or not; 年内, 年底前; 自 and 用 before a figure; 第N季度. For a
    look-ahead: a character a date can open with is looked for first, and each alternative then opens
    with the characters it is for, so that one that does not fit is ruled out at a glance (``re``
    enters an alternative that opens with a literal or a class only where that matches; a look-behind
    at each would be tried)."""
    names = list(plan_periods())
    plans = lexicon.alternation(names)
    first = "".join(re.escape(c) for c in sorted({n[0] for n in names} - set(_NUMERALS)))
    cue = f"[到至从][{_form_opens()}]" if all(f.opens for f in forms().values()) else "[到至从]"
    return re.compile(
        rf"(?=[到至截从\d{_NUMERALS}今去明本上近“\"年自用第{first}])(?:"
        rf"\d\d{{0,7}}+(?:{_AFTER_COUNT}|、\d)|[12]\d{{3}}[\s至到—―–\-－~～/.]|{cue}|截"
        rf"|[{_NUMERALS}](?:[{_NUMERALS}]|{_AFTER_COUNT})|[今去明本]年|上个?世纪|近[\d{_NUMERALS}]"
        rf"|[“\"](?:{plans})|(?:{plans})|年(?:内|底前)"
        r"|自[\d〇零一二三四五六七八九十今去明本上近“\"]"  # 自2018年起, 自今年以来
        r"|用[\d一二三四五六七八九十两]|第[一二三四1-4]季度)")  # 用5年时间, 第一季度


def expressions(text: str) -> Iterator[re.Match[str]]:
    """``expression().finditer(text)``: the grammar tried only where a date can start."""
    return expression().finditer(text)


@functools.cache
def _forms_by_group() -> dict[int, Form]:
    """Each form by the number of its group in :func:`expression`."""
    index = expression().groupindex
    return {index[f.name]: f for f in forms().values()}


@functools.cache
def _own_group_numbers() -> dict[str, dict[str, int]]:
    """Each form's own groups by their names in the form, with their numbers in :func:`expression`
    (``ymd`` → ``y`` → the number of ``ymd__y``)."""
    numbers: dict[str, dict[str, int]] = {name: {} for name in forms()}
    for group, number in expression().groupindex.items():
        name, _, own = group.partition("__")
        if own:
            numbers[name][own] = number
    return numbers


def form(m: re.Match[str]) -> Form:
    """The form a match of :func:`expression` is (the one whose group took part in it). Without a cue
    after it, the form's group is the last the match closed (``lastindex``: between ``pre`` and
    ``post`` the forms' groups are the outermost, each closing after the groups it holds)."""
    by_group = _forms_by_group()
    found = by_group.get(m.lastindex)  # type: ignore[arg-type]
    if found is not None:
        return found
    start = m.start
    for group, f in by_group.items():
        if start(group) >= 0:
            return f
    raise ValueError("not a match of the date expression grammar")


def resolve(m: re.Match[str], context: Context) -> Period | None:
    """(start, end, precision) of a match of :func:`expression`, or None when it is no real date."""
    f = form(m)
    numbers = _own_group_numbers()[f.name]

    def group(name: str) -> str | None:
        number = numbers.get(name)
        return None if number is None else m.group(number)  # None: a group this form does not have

    return f.resolve(group, context)


# ---------------------------------------------------------------- what cue words mean (date_cues.yaml)

class Cue(BaseModel):
    """What a cue word does to the date it stands by."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    role: Literal["deadline", "period"] | None = None  # 到 → deadline; 以来 → a period up to the document
    narrow: Literal["end", "first_half", "second_half"] | None = None  # 年底: the period's last stretch
    within: bool = False  # 内, 年内: a deadline counted from the document's date when in its year
    pairs_with: list[str] = []  # 从 counts only with 起/开始/以来 after the date: 从2016年起, not 从去年
    exclusive: bool = False  # 2015年以前: up to the end of the year before (of a year only)
    not_after: list[str] = []  # the cue is a verb, not a cue, after these (期内开始实施)


class DateCues(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    before: dict[str, Cue]
    after: dict[str, Cue]
    plan_periods: dict[str, tuple[int, int]]
    plan_documents: list[str] = []  # after a quoted plan name: the plan itself (“十四五”规划), not a date
    recurring_event_ends: list[str] = []  # 之日起 … 30日内: a procedure's time limit, not a date
    short_term_after: list[str] = []  # 在/于 3个月内: a one-off deadline; 出生28天内: a rule's duration


@functools.cache
def date_cues() -> DateCues:
    return DateCues.model_validate(lexicon.load("date_cues.yaml"))


def _plan_documents() -> list[str]:
    """Words after a quoted plan name that make it the plan itself (“十四五”规划), not its period."""
    return date_cues().plan_documents


def plan_periods() -> dict[str, tuple[int, int]]:
    """Five-year plan names → (first year, last year): “十四五” → (2021, 2025)."""
    return date_cues().plan_periods
