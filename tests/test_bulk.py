"""The 2,813 real citizen replies in ../shared (not in the repo): every one is read and extracted."""

from __future__ import annotations

from collections import Counter

import pytest

from sqzl_docs import pipeline
from sqzl_docs.models import Document

from .conftest import BULK, assert_spans_hold

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out


@pytest.mark.skipif(not BULK.exists(), reason="../shared/corpus/bulk is not beside the repo")
def test_every_bulk_reply_is_extracted_without_a_problem() -> None:
    kinds: Counter[str] = Counter()
    records = 0
    for record in pipeline.run([str(BULK)]):
        assert isinstance(record, Document), record
        records += 1
        for name in ("doc_numbers", "citations", "dates", "metrics", "departments"):
            kinds[name] += len(getattr(record, name))
        if records % 50 == 0:
            assert_spans_hold(record)
    assert records == 2813
    assert all(kinds[name] > 100 for name in kinds), kinds
