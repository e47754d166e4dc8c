"""Typed records (pydantic v2): the document, its structure, and what extractors find in it.

One coordinate system: every item carries a :class:`Span` into ``Document.text`` (the text as
read, before normalisation), and ``doc.text[span.start:span.end] == span.text`` always holds.
Normalised and canonical values sit beside the span.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Hashable
from typing import Annotated, Any, Literal, TypeVar, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .normalize import NormText, normalize, replace_lone_surrogates

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def maker(model: type[M]) -> Callable[[dict[str, Any]], M]:
    """``model(**fields)`` as a call on the dict of fields: the same validation, without the keyword call
    through ``BaseModel.__init__`` (some 0.5 us less per record). Taken once, where the module is loaded:
    ``_date_mention = maker(DateMention)``, then ``_date_mention({"span": span, "start": start, …})``."""
    return model.__pydantic_validator__.validate_python


class Span(Frozen):
    """A range of ``Document.text`` and the characters it holds, exactly as written."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


# A span is made for every item found, by every stage.
_validate_span = maker(Span)

# A name or message that may come from outside (a file name with undecodable bytes, a JSON Lines
# field): lone surrogates are replaced, so the record can always be written as UTF-8.
WritableStr = Annotated[str, AfterValidator(replace_lone_surrogates)]


Stage = Literal["ingest", "normalize", "structure", "extract", "track"]


class Problem(Frozen):
    """An error record (or a warning on a document): which file, at which stage, and why."""

    kind: Literal["problem"] = "problem"
    source: WritableStr
    stage: Stage
    code: str
    reason: WritableStr
    span: Span | None = None

    @classmethod
    def from_exc(cls, exc: BaseException, *, stage: Stage, source: str, where: bool = False) -> Problem:
        """The record for an exception caught in a batch run: a :class:`~sqzl_docs.errors.SqzlError`'s
        own code and reason, else ``<stage>.failed`` with the exception's type and message (after
        ``source:`` when ``where``). The code is one listed in :data:`sqzl_docs.errors.CODES`.

        >>> Problem.from_exc(ValueError("bad"), stage="extract", source="a.txt").reason
        'ValueError: bad'
        """
        from .errors import CODES, SqzlError

        if isinstance(exc, SqzlError):
            code, reason = exc.code, exc.reason
        else:
            code, reason = f"{stage}.failed", f"{type(exc).__name__}: {exc}"
            if where:
                reason = f"{source}: {reason}"
        if code not in CODES:
            raise ValueError(f"problem code {code!r} is not in errors.CODES")
        return cls(source=source, stage=stage, code=code, reason=reason)


# ---------------------------------------------------------------- reading


class Block(Frozen):
    """A paragraph, line or table row of the source, with its place in the file.

    ``page`` is the 1-based PDF page; ``index`` the 0-based paragraph (or table) number in a DOCX
    or HTML body; ``row`` and ``cells`` are set for table rows.
    """

    kind: Literal["paragraph", "table_row", "metadata"]
    start: int
    end: int
    page: int | None = None
    index: int | None = None
    table: int | None = None
    row: int | None = None
    cells: list[Span] = Field(default_factory=list)


class MetaField(Frozen):
    """One field of a page's metadata block (索引号, 发布机构, 成文日期, 发文字号 …).

    ``name`` is the canonical field name (``index_no``, ``issuer``, ``written``, ``published``,
    ``title``, ``doc_number``, ``topic``, ``genre``, ``validity``, ``source_site``, ``keywords``,
    ``expires``, ``other``); ``label`` the label as written. ``span`` is ``None`` when the value
    comes from outside the text (a JSON Lines field, DOCX properties).
    """

    name: str
    label: str
    value: str
    span: Span | None = None
    date: dt.date | None = None


# ---------------------------------------------------------------- structure


class Section(Frozen):
    """A numbered section (一、 / （一） / 1. / (1) / 一是 …) with its heading and whole span.

    ``style`` names the numbering kind; ``level`` is its depth in this document's tree (1 = top).
    """

    marker: str
    style: Literal[
        "chapter", "article", "cn_comma", "cn_paren", "arabic_dot", "arabic_paren", "circled", "inline"
    ]
    number: int
    level: int
    heading: Span
    span: Span
    children: list[Section] = Field(default_factory=list)


class Contact(Frozen):
    """A contact line item: 联系人, 联系电话, 邮政编码, 联系地址, 电子邮箱, 传真."""

    kind: Literal["person", "phone", "postcode", "address", "email", "fax"]
    label: str
    value: str
    span: Span


class Closing(Frozen):
    """落款: the signature (署名) and the date written under it (成文日期), and a closing formula."""

    signature: Span | None = None
    date: Span | None = None
    date_value: dt.date | None = None
    date_repaired: bool = False
    formula: Span | None = None


class Structure(Frozen):
    """The parts of a document: boilerplate, metadata block, title, 主送, body, sections, 落款."""

    boilerplate: list[Span] = Field(default_factory=list)
    metadata_block: Span | None = None
    title: Span | None = None
    title_text: str | None = None
    subtitle: Span | None = None
    doc_number_line: Span | None = None
    salutation: Span | None = None
    addressee: str | None = None
    body: Span | None = None
    sections: list[Section] = Field(default_factory=list)
    closing: Closing = Field(default_factory=Closing)
    contacts: list[Contact] = Field(default_factory=list)
    distribution: Span | None = None


# ---------------------------------------------------------------- extracted records


class DocNumber(Frozen):
    """发文字号 such as 渝民函〔2021〕204号, canonical, with the damage that was repaired."""

    span: Span
    canonical: str
    issuer_code: str
    year: int | None  # None for an order's number (国令第707号), which has no year
    serial: int
    repaired: bool = False
    own: bool = False


class Citation(Frozen):
    """A document named in 《…》, with the number attached to it in the text."""

    span: Span
    title: str
    doc_number: str | None = None
    doc_number_span: Span | None = None


class DateMention(Frozen):
    """A date, month, year, range or relative/deadline expression, resolved to start and end."""

    span: Span
    start: dt.date | None
    end: dt.date | None
    precision: Literal["day", "month", "year", "range", "relative"]
    role: Literal["published", "written", "deadline", "period", "mention"] = "mention"
    repaired: bool = False


class Metric(Frozen):
    """A quantity with its unit and qualifier (以上 → gte, 以下 → lte, 余/约 → approx)."""

    span: Span
    value: float
    unit: str
    qualifier: Literal["gte", "lte", "approx"] | None = None
    from_value: float | None = None
    subject: str | None = None
    per: str | None = None


class Department(Frozen):
    """A government, Party, people's congress or CPPCC organ named in the text."""

    span: Span
    name: str
    canonical: str | None = None
    role: Literal["issuer", "co_handler", "lead", "responsible", "mentioned"] = "mentioned"


class Proposal(Frozen):
    """The proposal or suggestion a reply answers (提案/建议)."""

    number: str | None = None
    session: str | None = None
    proposer: str | None = None
    title: str | None = None


class Header(Frozen):
    """Header fields of a document: what a cataloguer writes on its card."""

    doc_type: Literal["reply", "notice", "draft", "progress_report", "work_report", "experience", "other"]
    title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    published: dt.date | None = None
    written: dt.date | None = None
    proposal: Proposal | None = None
    result_class: str | None = None


class Deadline(Frozen):
    start: dt.date | None = None
    end: dt.date | None = None
    source: Literal["explicit", "item", "plan_period", "plan_year", "none"] = "none"
    span: Span | None = None


class Commitment(Frozen):
    """Something the issuer or a named body undertakes to do (承诺事项), with deadline and owners."""

    span: Span
    item: Span
    section_path: list[str] = Field(default_factory=list)
    action: str
    deadline: Deadline | None = None
    targets: list[Metric] = Field(default_factory=list)
    departments: list[str] = Field(default_factory=list)
    departments_defaulted: bool = False
    strength: Literal["firm", "aim", "vague"] = "firm"
    keywords: list[str] = Field(default_factory=list)
    testable: bool = False
    testability_reasons: list[str] = Field(default_factory=list)
    # A part of a numbered item (the heading sentence of an unnumbered paragraph under a work report's task):
    # tracked as an undertaking of its own, but by the guide's nesting rule it belongs to its item (this span),
    # so the gold projection leaves it out.
    part_of: Span | None = None


class ProgressStatement(Frozen):
    """A sentence reporting a completed action or an achieved figure (进展)."""

    span: Span
    metrics: list[Metric] = Field(default_factory=list)
    dates: list[DateMention] = Field(default_factory=list)
    departments: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)


# ---------------------------------------------------------------- the document


class Document(Frozen):
    """A document as read, with its structure and everything extracted from it."""

    kind: Literal["document"] = "document"
    doc_id: str
    source: WritableStr
    sha256: str
    reader: Literal["txt", "html", "pdf", "docx", "doc", "jsonl", "text"]
    encoding: str | None = None
    text: str
    blocks: list[Block] = Field(default_factory=list)
    metadata: list[MetaField] = Field(default_factory=list)
    structure: Structure = Field(default_factory=Structure)
    warnings: list[Problem] = Field(default_factory=list)
    header: Header | None = None
    doc_numbers: list[DocNumber] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    dates: list[DateMention] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)
    departments: list[Department] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    progress: list[ProgressStatement] = Field(default_factory=list)
    extractors: dict[str, int] = Field(default_factory=dict)

    @functools.cached_property
    def norm(self) -> NormText:
        """The normalised view of ``text`` (computed once, on first use)."""
        return normalize(self.text)

    def derived(self, key: Hashable, compute: Callable[[Document], T]) -> T:
        """``compute(self)``, once per ``key``: per-document state for the extractors (a masked text …),
        kept beside ``norm`` and shared, as ``norm`` is, with the copies ``model_copy`` makes."""
        memo = self.__dict__.setdefault("_derived", {})
        if key not in memo:
            memo[key] = compute(self)
        return memo[key]  # type: ignore[no-any-return]

    def span(self, start: int, end: int) -> Span:
        """The span of ``text[start:end]``."""
        return _validate_span({"start": start, "end": end, "text": self.text[start:end]})

    def source_span(self, norm_start: int, norm_end: int) -> Span:
        """Map a range of the normalised view back to a span of ``text``."""
        return self.span(*self.norm.source_range(norm_start, norm_end))

    def meta(self, name: str) -> MetaField | None:
        """The first metadata field of that canonical name, if any."""
        for field in self.metadata:  # a loop, not next() over a generator: asked some 25 times a document
            if field.name == name:
                return field
        return None

    @classmethod
    def from_text(cls, text: str, source: str = "<text>", **fields: Any) -> Document:
        """A document made from a string (for tests, doctests and ``parse_text``)."""
        made_here = fields.keys() & {"doc_id", "sha256", "reader", "text"}
        if made_here:  # as the keyword call would: these come from the text, never from the caller
            raise TypeError(f"from_text() got multiple values for {', '.join(sorted(made_here))}")
        text = replace_lone_surrogates(text)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return maker(cls)(
            {"doc_id": digest[:16], "source": source, "sha256": digest, "reader": "text", "text": text,
             "structure": _NOT_ANALYSED, **fields})


# The structure of a document not yet analysed (``Structure()``, the field's default): made once and shared
# by the documents ``from_text`` makes, as it is frozen and :func:`~sqzl_docs.structure.analyse` puts a new
# one in its place (a default made per document costs as much again as the rest of the document).
_NOT_ANALYSED = Structure()


Record = Annotated[Union[Document, Problem], Field(discriminator="kind")]
