"""Header fields — title, issuer, own document number, published and written dates, document type
and, for replies, the proposal answered (number, session, proposer, title) and the result class.

>>> from sqzl_docs.models import Document
>>> from sqzl_docs.structure import analyse
>>> doc = analyse(Document.from_text("关于市政协五届四次会议第0836号提案的复函\\n肖丹委员：\\n您提出的《关于老旧社区治理的提案》收悉。"))
>>> h = next(extract(doc))
>>> h.doc_type, h.proposal.number, h.proposal.session, h.proposal.proposer
('reply', '0836', '市政协五届四次会议', '肖丹')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from .. import lexicon
from ..grammar.scan import search_holding
from ..models import Document, Header, Proposal
from . import dates, extractor, records


@functools.cache
def _cues() -> dict[str, Any]:
    return lexicon.load("doc_types.yaml")


def doc_type(doc: Document) -> str:
    """reply, notice, draft, progress_report, work_report, experience or other, from the title and opening."""
    cues = _cues()
    named = doc.meta("title")
    title = doc.structure.title_text or (named.value if named else "") or ""
    opening = doc.norm.text[:600]
    for kind in ("draft", "work_report", "progress_report", "reply", "notice"):
        rule = cues[kind]
        if title and any(w in title for w in rule.get("title_contains", [])):
            return kind
        if title and title.endswith(tuple(rule.get("title_ends", []))):
            return kind
        if any(w in opening for w in rule.get("opening_contains", [])):
            return kind
    for kind, rule in cues.items():
        if "signals" in rule and _signals(doc, rule["signals"]) >= rule.get("min_signals", 2):
            return kind
    if title and doc.structure.subtitle is None and _author_line(doc):
        return "experience"
    if any(w in title for w in cues["experience"]["title_contains"]):
        return "experience"
    return "other"


def _signals(doc: Document, signals: dict[str, list[str]]) -> int:
    """How many of a kind's signal groups the document shows: its opening (first 200 characters),
    its top-level section headings, its closing (last 300 characters)."""
    text = doc.norm.text
    places = {"opening_contains": text[:200],
              "headings_contain": "\n".join(s.heading.text for s in doc.structure.sections),
              "closing_contains": text[-300:]}
    return sum(1 for group, words in signals.items() if any(w in places.get(group, "") for w in words))


def _author_line(doc: Document) -> str | None:
    """A unit's name on its own line under the title (an experience paper's author)."""
    if not doc.structure.title:
        return None
    text = doc.text
    after = text[doc.structure.title.end:].lstrip("\n ")
    line = after.split("\n", 1)[0].strip()
    if 2 <= len(line) <= 30 and not re.search(r"[，。：:；、,]", line):
        if line.endswith(tuple(lexicon.structure_cues()["organ_endings"])):
            return line
    return None


def _issuer(doc: Document) -> str | None:
    """The issuing body, in the fullest form the document gives."""
    candidates: list[str] = []
    if doc.structure.closing.signature and not dates.enclosure_signed(doc):  # not an enclosed 请示's signer
        candidates.extend(doc.structure.closing.signature.text.split())
    title = doc.structure.title_text or ""
    if "关于" in title or _FORWARDS.search(title):
        head = _FORWARDS.split(title.split("关于", 1)[0], 1)[0]  # 国务院办公厅转发国家教委……: the forwarder
        if 2 <= len(head) <= 30 and not head.startswith("对"):
            candidates.append(head)
    author = _author_line(doc)
    if author:
        candidates.append(author)
    field = doc.meta("issuer")
    if field and field.value:
        candidates.append(field.value)
    if not candidates:
        candidates.extend(_head_organ(doc))
    if not candidates:
        return None
    first = re.sub(r"\s", "", candidates[0])
    # the fullest spelling of the same body: 市民政局 → 重庆市民政局, 闵行区古美路街道办事处 →
    # 上海市闵行区人民政府古美路街道办事处
    for other in candidates[1:]:
        other = re.sub(r"\s", "", other)
        if len(other) > len(first) and _same_body(first, other):
            first = other
    return first


def _same_body(short: str, full: str) -> bool:
    """Whether ``full`` names the body ``short`` names, with more of its places and parents: it ends
    with ``short`` less its leading place names, and holds those places."""
    if full.endswith(short):
        return True
    known = lexicon.places()
    core, leading = short, []
    while True:
        place = next((core[:k] for k in range(min(9, len(core) - 2), 1, -1) if core[:k] in known), None)
        if place is None:
            break
        leading.append(place)
        core = core[len(place):]
    return bool(leading) and len(core) >= 4 and full.endswith(core) and all(p in full for p in leading)


_FORWARDS = re.compile(r"转发|批转|印发")
_REPLY_LEAD_IN = re.compile(r"[^。！？]{0,60}(?:回复如下|答复如下|函复如下)")
_SPEAKS_FOR = re.compile(r"我代表(?P<body>[^，,。；：]{2,30}?)(?:[，,]|向|对)")
_INVESTIGATED_BY = re.compile(r"经(?:过)?(?P<body>[^，。；]{2,30}?)(?:前期|认真|实地|现场)?(?:调查|核实|核查)")


def _head_organ(doc: Document) -> list[str]:
    """A department named in the head (国务院总理 → 国务院) or the body that replies (经X调查……回复如下)."""
    found = records(doc, "departments")
    body = doc.structure.body
    head_end = body.start if body else 0
    salutation = doc.structure.salutation
    out = [d.name for d in found if d.span.end <= head_end
           and not (salutation and salutation.start <= d.span.start < salutation.end)]
    if out:
        return out[:1]
    m = search_holding(_REPLY_LEAD_IN, doc.norm.text[:800], "复如下", reach=61)
    if m:
        s, e = doc.norm.source_range(m.start(), m.end())
        named = [d.name for d in found if s <= d.span.start < e]
        if named:
            return named[:1]
    m = _SPEAKS_FOR.search(doc.norm.text[:1500])
    if m:  # 我代表国务院，向大会报告政府工作: the body the speaker speaks for
        s, e = doc.norm.source_range(m.start("body"), m.end("body"))
        named = [d.name for d in found if s <= d.span.start and d.span.end <= e]
        spoken = doc.text[s:e].strip()
        if named:
            return named[:1]
        if spoken.endswith(tuple(lexicon.structure_cues()["organ_endings"])):
            return [spoken]
    m = _INVESTIGATED_BY.search(doc.norm.text[:600])
    if m:  # 经A1区街道办事处前期调查: the body that investigated replies
        s, e = doc.norm.source_range(m.start("body"), m.end("body"))
        return [d.name for d in found if s <= d.span.start and d.span.end <= e][:1]
    return []


_NUMBER = re.compile(r"第\s*(\d{1,5})\s*号\s*(?:提案|建议|议案)|(?:提案|建议|议案)》?\s*[（(]\s*第\s*(\d{1,5})\s*号")
_SESSION = re.compile(
    r"((?:[市区县省州]|全国)?(?:政协|人大)?(?:第?[一二三四五六七八九十]+届)(?:全国)?(?:政协|人大)?(?:常委会)?"
    r"第?[一二三四五六七八九十]+次(?:全体)?会议)")
_PROPOSAL_TITLE = re.compile(r"《([^《》]{2,120}(?:提案|建议|议案)[^《》]{0,10})》")
_HONORIFIC = re.compile(r"(委员|代表|副主席|主席|同志|先生|女士|老师|网友|您好)+$")


def _proposal(doc: Document) -> Proposal:
    title = doc.structure.title_text or ""
    opening = doc.norm.text[:1500]
    number = session = proposer = ptitle = None
    for source in (title, opening):
        m = search_holding(_NUMBER, source, "号")
        if m and number is None:
            number = m.group(1) or m.group(2)
        m = search_holding(_SESSION, source, "届")
        if m and session is None:
            session = re.sub(r"\s", "", m.group(1))
    m = _PROPOSAL_TITLE.search(opening)
    if m:
        ptitle = m.group(1)
    if doc.structure.addressee:
        name = doc.structure.addressee.strip()
        handle = re.search(r"“([^“”]+)”", name)
        if handle:
            proposer = handle.group(1)
        else:
            name = _HONORIFIC.sub("", name)
            names = [_HONORIFIC.sub("", n) for n in re.split(r"[、，,]", name)]  # 张三、李四委员: several
            if all(2 <= len(n) <= 4 and re.fullmatch(r"[\u4e00-\u9fff·]+", n) for n in names):
                proposer = "、".join(names)
    return Proposal(number=number, session=session, proposer=proposer, title=ptitle)


_RESULT = re.compile(r"(?:办理结果|答复类别|办理类别|类别)\s*(?:为|属|是|：|:)?\s*[“\"]?([ABCD])[”\"]?类?|([ABCD])类(?:答复|提案|建议)")
_RESULT_WORDS = ("已解决", "正在解决", "列入计划", "计划解决", "留作参考", "因条件限制")


# (a quote may open the word: 属“已解决”类; it is not part of the match, so the search opens with the words)
_RESULT_WORD = re.compile(rf"({'|'.join(_RESULT_WORDS)})[”\"]?(?:类|事项)")


def _result_class(doc: Document) -> str | None:
    if not any(word in doc.norm.text for word in ("类", "事项", "办理结果")):
        return None  # a result class is written with 类 (类别, A类), 事项, or after 办理结果
    m = _RESULT.search(doc.norm.text)
    if m:
        return m.group(1) or m.group(2)
    m = _RESULT_WORD.search(doc.norm.text)
    return m.group(1) if m else None


def _order_heading(title: str) -> bool:
    """Whether a title is only an order's heading (中华人民共和国国务院令), not a document's name."""
    return "关于" not in title and title.endswith(tuple(lexicon.structure_cues()["order_heading_endings"]))


@extractor("header", version=5, requires=("doc_numbers", "departments"), data=("doc_types.yaml", "structure_cues.yaml"))
def extract(doc: Document) -> Iterator[Header]:
    """Yield the document's one header record."""
    kind = doc_type(doc)
    own = next((n.canonical for n in doc.doc_numbers if n.own), None)
    published = dates.published_field(doc)
    named = doc.meta("title")
    title = doc.structure.title_text or (named.value if named else None)
    if named and named.value and title and _order_heading(title):
        title = named.value  # 中华人民共和国国务院令 heads the page; 标题 names the regulation
    yield Header(
        doc_type=kind,  # type: ignore[arg-type]
        title=title,
        issuer=_issuer(doc),
        doc_number=own,
        published=published.date if published else None,
        written=dates.written_date(doc),
        proposal=_proposal(doc) if kind == "reply" else None,
        result_class=_result_class(doc) if kind == "reply" else None,
    )
