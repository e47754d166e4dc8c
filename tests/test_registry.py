"""The extractor registry: declared contracts, the computed order, and versions that follow output.

``tests/extractor_fingerprints.json`` holds, for each extractor, its version and a digest of its output
over ``corpora/raw``. When an extractor's output changes, the test fails until its ``version`` is raised
in its ``@extractor(...)`` line; then ``SQZL_UPDATE_FINGERPRINTS=1 pytest tests/test_registry.py``
records the new digest.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from sqzl_docs import extract, ingest, structure
from sqzl_docs.extract import REGISTRY, load_all, order, records
from sqzl_docs.models import Document

ROOT = Path(__file__).resolve().parent.parent
FINGERPRINTS = Path(__file__).resolve().parent / "extractor_fingerprints.json"


def test_order_puts_each_extractor_after_what_it_requires() -> None:
    names = order()
    assert sorted(names) == sorted(load_all())
    for name in names:
        for required in REGISTRY[name].requires:
            assert required in REGISTRY, (name, required)
            assert names.index(required) < names.index(name), (name, required)


def test_declared_data_files_exist_and_fingerprints_differ() -> None:
    prints = {spec.fingerprint for spec in load_all().values()}
    assert len(prints) == len(REGISTRY)
    for spec in REGISTRY.values():
        assert spec.id == f"{spec.name}/{spec.version}"


def test_an_extractor_on_its_own_gets_what_it_requires() -> None:
    doc = structure.analyse(Document.from_text("依据国办发〔2018〕108号，到2022年底前完成80%。"))
    assert [n.canonical for n in records(doc, "doc_numbers")] == ["国办发〔2018〕108号"]
    whole = extract.run_all(doc)
    assert records(whole, "dates") == whole.dates
    assert [d.model_dump() for d in REGISTRY["dates"].fn(doc)] == [d.model_dump() for d in whole.dates]


def test_process_document_leaves_the_document_it_is_given_as_it_was() -> None:
    from sqzl_docs.pipeline import process_document

    read = Document.from_text("依据国办发〔2018〕108号，到2022年底前完成80%。")
    before = read.model_dump_json()
    done = process_document(read)  # extraction fills analyse's new document in place (run_all(own=True))
    assert read.model_dump_json() == before and read.extractors == {}
    assert done.model_dump_json() == extract.run_all(structure.analyse(read)).model_dump_json()
    assert done.extractors == {name: REGISTRY[name].version for name in order()}


def _output_digests() -> dict[str, str]:
    digests = {name: hashlib.sha256() for name in REGISTRY}
    for path in sorted((ROOT / "corpora" / "raw").iterdir()):
        (read,) = ingest.read(path)
        assert isinstance(read, Document)
        doc = extract.run_all(structure.analyse(read))
        for name in order():
            value = getattr(doc, name)
            found = value if isinstance(value, list) else [value] if value is not None else []
            for record in found:
                digests[name].update(record.model_dump_json().encode("utf-8") + b"\n")
    return {name: d.hexdigest()[:16] for name, d in digests.items()}


def test_output_changes_only_with_a_raised_version() -> None:
    load_all()
    now = {name: {"version": REGISTRY[name].version, "output": digest}
           for name, digest in _output_digests().items()}
    if os.environ.get("SQZL_UPDATE_FINGERPRINTS"):
        FINGERPRINTS.write_text(json.dumps(now, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip("fingerprints written")
    recorded = json.loads(FINGERPRINTS.read_text(encoding="utf-8"))
    assert sorted(recorded) == sorted(now), "an extractor was added or removed: update the fingerprints"
    for name, seen in recorded.items():
        if now[name]["version"] == seen["version"]:
            assert now[name]["output"] == seen["output"], (
                f"{name}: output over corpora/raw changed; raise its version in @extractor and run "
                "SQZL_UPDATE_FINGERPRINTS=1 pytest tests/test_registry.py")
        else:
            assert now[name]["version"] > seen["version"], f"{name}: version went down"
            pytest.fail(f"{name}: version raised; run SQZL_UPDATE_FINGERPRINTS=1 pytest tests/test_registry.py")


def test_from_text_keeps_the_fields_it_makes_from_the_text() -> None:
    """The id, digest, reader and text of a document made from a string come from that string: a
    caller's value for one of them is refused, as a second keyword value is."""
    with pytest.raises(TypeError, match="doc_id"):
        Document.from_text("社区", doc_id="0" * 16)
    doc = Document.from_text("社区", source="a.txt")
    assert (doc.source, doc.reader, doc.text, len(doc.doc_id)) == ("a.txt", "text", "社区", 16)
