"""spaCy integration: a pipeline component that runs sqzl_docs on a ``Doc``.

``nlp.add_pipe("sqzl_docs")`` on ``spacy.blank("zh")`` with the jieba segmenter puts every record
kind on ``doc.spans`` (one group per kind, spans aligned to tokens with
``char_span(..., alignment_mode="expand")``) and the whole :class:`~sqzl_docs.models.Document`
record on ``doc._.sqzl``. Nothing is downloaded: the blank Chinese pipeline and jieba's bundled
dictionary are all it needs.

>>> import spacy, sqzl_docs.spacy
>>> nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
>>> _ = nlp.add_pipe("sqzl_docs")
>>> doc = nlp("市民政局会同市财政局，到2022年底前完成165项事项。")
>>> [(s.text, s.label_) for s in doc.spans["dates"]], [s.text for s in doc.spans["departments"]]
([('到2022年底前', 'deadline')], ['市民政局', '市财政局'])
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import parse_text

KINDS = ("doc_numbers", "citations", "dates", "metrics", "departments", "commitments", "progress")

if not Doc.has_extension("sqzl"):
    Doc.set_extension("sqzl", default=None)


class SqzlComponent:
    """Runs the readers' structure analysis and every extractor on the Doc's text."""

    def __call__(self, doc: Doc) -> Doc:
        record = parse_text(doc.text, name=doc.user_data.get("source") if doc.user_data else None)
        for kind in KINDS:
            spans: list[Span] = []
            for item in getattr(record, kind):
                span = doc.char_span(item.span.start, item.span.end, label=_label(kind, item),
                                     alignment_mode="expand")
                if span is not None:
                    spans.append(span)
            doc.spans[kind] = spans
        doc._.sqzl = record
        return doc


def _label(kind: str, item: object) -> str:
    """The span label: a date's role, a department's role, else the record kind."""
    if kind in ("dates", "departments"):
        return str(getattr(item, "role"))
    return kind


@Language.factory("sqzl_docs")
def create(nlp: Language, name: str) -> SqzlComponent:
    return SqzlComponent()
