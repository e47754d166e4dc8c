"""The committed JSON Schema must match the models (regenerate with `make schema`)."""

from __future__ import annotations

from sqzl_docs.schemas import check_schemas, render

from .conftest import ROOT


def test_committed_schemas_match_the_models() -> None:
    stale = check_schemas(ROOT / "schemas")
    assert not stale, f"schemas out of date, run `make schema`: {stale}"


def test_schema_names_every_record_kind() -> None:
    record = render()["record.schema.json"]
    for kind in ("Document", "Problem", "Section", "Span", "DocNumber", "DateMention", "Metric", "Commitment"):
        assert f'"{kind}"' in record
