"""JSON Lines reader: one document per line, as scraped collections arrive.

A line that is a record written by ``sqzl extract`` (``"kind": "document"``) is taken as it is, so
extraction output (and Dask shards) can be loaded with ``sqzl track add``. Any other line is a JSON
object with a text field (``--text-field``, else the first of ``text``,
``content``, ``body``, ``reply``); ``title``/``subject``, ``date``/``published``/``replied_at`` and
``id`` become metadata. A bad line is a problem record; the other lines are still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..errors import IngestError
from ..limits import DEFAULT, Limits, check_chars
from ..models import Document, MetaField, Problem
from ..normalize import replace_lone_surrogates
from . import Reading, document_from

TEXT_FIELDS = ("text", "content", "body", "reply")
META_FIELDS = {"title": "title", "subject": "title", "date": "published", "published": "published",
               "replied_at": "published", "written": "written", "issuer": "issuer", "id": "record_id",
               "url": "url", "doc_number": "doc_number"}


def read(data: bytes, *, source: str, text_field: str | None = None, limits: Limits = DEFAULT
         ) -> Iterator[Document | Problem]:
    for number, raw in enumerate(data.split(b"\n"), start=1):
        record = read_line(raw, source=source, number=number, text_field=text_field, limits=limits)
        if record is not None:
            yield record


def read_line(raw: bytes, *, source: str, number: int, text_field: str | None = None,
              limits: Limits = DEFAULT) -> Document | Problem | None:
    """One line of a JSON Lines file: a document, a problem record, or None for a blank line."""
    if not raw.strip():
        return None
    where = f"{source}#L{number}"
    if limits.max_bytes and len(raw) > limits.max_bytes:
        return Problem(source=where, stage="ingest", code="ingest.too_large",
                       reason=f"{where}: a {len(raw):,}-byte line is over the limit of {limits.max_bytes:,} bytes")
    try:
        obj = json.loads(raw.decode("utf-8", errors="strict"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Problem(source=where, stage="ingest", code="ingest.bad_jsonl", reason=f"not valid JSON: {exc}")
    if not isinstance(obj, dict):
        return Problem(source=where, stage="ingest", code="ingest.bad_jsonl", reason="the line is not a JSON object")
    if obj.get("kind") in ("document", "problem") and "source" in obj:
        return _record(obj, where)  # a record written by `sqzl extract` (e.g. a Dask shard): taken as it is
    name = text_field or next((f for f in TEXT_FIELDS if isinstance(obj.get(f), str)), None)
    text = obj.get(name) if name else None
    if not isinstance(text, str) or not text.strip():
        wanted = text_field or " or ".join(TEXT_FIELDS)
        return Problem(source=where, stage="ingest", code="ingest.bad_jsonl",
                       reason=f"no non-empty text field ({wanted})")
    text = replace_lone_surrogates(text)
    try:
        check_chars(text, where, limits)
    except IngestError as exc:
        return Problem.from_exc(exc, stage="ingest", source=where)
    meta = [MetaField(name=META_FIELDS[k], label=k, value=replace_lone_surrogates(str(v))) for k, v in obj.items()
            if k in META_FIELDS and v not in (None, "")]
    record_id = obj.get("id")
    ref = replace_lone_surrogates(f"{source}#id={record_id}") if record_id not in (None, "") else where
    return document_from(Reading(text=text, metadata=meta, encoding="utf-8"), source=ref,
                         data=text.encode("utf-8"), reader="jsonl")


def _record(obj: dict, where: str) -> Document | Problem:
    from pydantic import ValidationError

    try:
        return Document.model_validate(obj) if obj["kind"] == "document" else Problem.model_validate(obj)
    except ValidationError as exc:
        return Problem(source=where, stage="ingest", code="ingest.bad_jsonl",
                       reason=f"not a valid sqzl record: {exc.error_count()} errors")
