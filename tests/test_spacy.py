"""The spaCy component, built offline on spacy.blank("zh") with the jieba segmenter."""

from __future__ import annotations

import spacy

import sqzl_docs

from .conftest import RAW

SEED_000 = RAW / "000_a8a32f0196afeb02.txt"


def test_component_puts_records_on_doc_spans_offline() -> None:
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("sqzl_docs")  # found through the spacy_factories entry point
    text = SEED_000.read_text(encoding="utf-8")
    doc = nlp(text)
    record = sqzl_docs.parse(SEED_000)
    assert doc._.sqzl.model_dump() == sqzl_docs.parse_text(text).model_dump()
    commitments = [s.text for s in doc.spans["commitments"]]
    assert commitments == [c.span.text for c in record.commitments]
    assert commitments[:2] == ["强化社区人才队伍建设", "持续开展社区减负行动"]
    assert len(commitments) == 6
    for kind in ("doc_numbers", "dates", "metrics", "departments", "citations", "progress"):
        group = doc.spans[kind]
        assert len(group) == len(getattr(doc._.sqzl, kind)), kind
        for span, item in zip(group, getattr(doc._.sqzl, kind)):
            # expanded to whole tokens: the token span covers the record's characters
            assert span.start_char <= item.span.start and span.end_char >= item.span.end
    assert "渝民〔2020〕70号" not in [s.text for s in doc.spans["doc_numbers"]]  # spans keep the damaged text
    assert any(s.label_ == "deadline" for s in doc.spans["dates"])
