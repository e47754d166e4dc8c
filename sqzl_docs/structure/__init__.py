"""Document structure (公文结构): boilerplate, metadata block, title, 主送, sections, 落款, contacts.

Works on the normalised view, line by line, and maps every position back to ``Document.text``.
Follows the element list of GB/T 9704-2012 (版头/主体/版记) and what scraped pages add to it.
"""

from __future__ import annotations

import re

from ..grammar.dates import DATE_TOKEN, parse_date
from ..models import Closing, Contact, Document, MetaField, Section, Span, Structure, maker
from .closing import read_tail
from .head import read_head
from .lines import boilerplate, split_lines
from .sections import Node, find_sections

__all__ = ["analyse"]


def analyse(doc: Document) -> Document:
    """Return ``doc`` with its structure (and, for text pages, its metadata block) filled in."""
    norm = doc.norm.text
    lines = split_lines(norm)
    skip = boilerplate(lines)
    head = read_head(lines, skip)

    span = doc.source_span  # a range of the normalised view → a span of the text

    def line_span(first: int, last: int) -> Span:
        return span(lines[first].bare_start, lines[last].end)

    metadata = list(doc.metadata)
    if not any(f.span for f in metadata):
        for pair in head.metadata:
            value = span(pair.start, pair.end) if pair.end > pair.start else None
            metadata.append(MetaField(name=pair.name, label=pair.label, value=value.text if value else "",
                                      span=value))
    metadata = [_with_date(f) for f in metadata]

    body_start = lines[head.body_line].start if head.body_line < len(lines) else len(norm)
    if head.salutation and head.salutation[1] > body_start:
        body_start = head.salutation[1]
    tail = read_tail(lines, skip | head.metadata_lines, body_start, norm)
    body_end = max(body_start, tail.body_end)
    while body_start < body_end and norm[body_start] in " \n：:":
        body_start += 1
    sections = find_sections(norm, lines, (body_start, body_end))

    meta_lines = sorted(head.metadata_lines)
    title_text = None
    if head.title:
        title_text = re.sub(r"\s+", "", "".join(lines[k].bare for k in range(head.title[0], head.title[1] + 1)))
    # The records are made through their validators (the same checks as ``Structure(...)``, without the
    # keyword calls through ``BaseModel.__init__``): a document's structure is made once per document.
    structure = _structure({
        "boilerplate": [line_span(i, i) for i in sorted(skip)],
        "metadata_block": line_span(meta_lines[0], meta_lines[-1]) if meta_lines else None,
        "title": line_span(*head.title) if head.title else None,
        "title_text": title_text,
        "subtitle": line_span(head.subtitle, head.subtitle) if head.subtitle is not None else None,
        "doc_number_line": line_span(head.doc_number_line, head.doc_number_line)
        if head.doc_number_line is not None else None,
        "salutation": span(*head.salutation) if head.salutation else None,
        "addressee": norm[head.salutation[0]:head.salutation[1]].rstrip("：:") if head.salutation else None,
        "body": span(body_start, body_end) if body_end > body_start else None,
        "sections": [_section(node, span) for node in sections],
        "closing": _closing({
            "signature": span(*tail.signature) if tail.signature else None,
            "date": span(*tail.date) if tail.date else None,
            "date_value": tail.date_value.value if tail.date_value else None,
            "date_repaired": tail.date_value.repaired if tail.date_value else False,
            "formula": span(*tail.formula) if tail.formula else None,
        }),
        "contacts": [_contact({"kind": kind, "label": label, "value": value, "span": span(s, e)})
                     for kind, label, value, s, e in tail.contacts],
        "distribution": span(*tail.distribution) if tail.distribution else None,
    })
    return doc.model_copy(update={"structure": structure, "metadata": metadata})


_structure, _closing, _contact, _validate_section = maker(Structure), maker(Closing), maker(Contact), maker(Section)


def _section(node: Node, span) -> Section:  # type: ignore[no-untyped-def]
    return _validate_section({"marker": node.marker, "style": node.style, "number": node.number, "level": node.level,
                              "heading": span(node.start, node.heading_end), "span": span(node.start, node.end),
                              "children": [_section(child, span) for child in node.children]})


def _with_date(field: MetaField) -> MetaField:
    if field.name not in ("written", "published", "expires", "effective", "revised") or field.date is not None:
        return field
    m = DATE_TOKEN.search(field.value)
    parsed = parse_date(m.group()) if m else None
    return field.model_copy(update={"date": parsed.value}) if parsed else field
