"""Large documents: the lookups that replaced a scan per sentence or per line give what the scan gave."""

from __future__ import annotations

import random

import pytest

import sqzl_docs
from sqzl_docs.extract.commitments import _Enclosing
from sqzl_docs.extract.sentences import all_sections

from .conftest import corpus_files


@pytest.mark.parametrize("path", corpus_files()[:8], ids=lambda p: p.name)
def test_enclosing_sections_are_the_ones_a_scan_finds(path) -> None:  # type: ignore[no-untyped-def]
    doc = sqzl_docs.parse(path)
    flat = list(all_sections(doc.structure.sections))
    rng = random.Random(path.name)
    positions = sorted(rng.randrange(len(doc.text) + 1) for _ in range(200))
    positions += [x.span.start for x in flat] + [x.span.end for x in flat]
    around = _Enclosing(flat)
    for pos in sorted(positions) + positions[:5]:  # ascending, then a step back
        assert around.at(pos) == [x for x in flat if x.span.start <= pos < x.span.end]
