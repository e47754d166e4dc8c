"""Storing extracted documents: one transaction per document, deterministic ids, idempotent.

A document's id is its content's hash (``doc_id`` = the first 16 hex digits of ``sha256``), as a git
object's id is, so records read back from JSON Lines are checked before they are stored
(:func:`vet`): the ids must agree, ``sha256`` must be the hash of the text when the text is what was
hashed (readers ``text`` and ``jsonl``), and every stored span must quote the text. A record whose
text differs from the stored document with the same id is refused, never taken as an update: a
genuine re-extraction has the same text. Refused records are problem records (counted as failed).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from ..errors import RecordRefused
from ..models import Document, Problem, Span
from .schema import migrate, write
from .clauses import Clause, clause_around, promises, target_clause
from .sentences import periods
from .supersede import retire
from .text import segment


def row_id(*parts: object) -> str:
    """A stable id from the parts (document id, kind, text …)."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8", "surrogatepass")).hexdigest()[:20]


def extractor_version(doc: Document) -> str:
    """The extractors' names and versions, and for a document extracted by this package (not read back
    from JSON Lines) the fingerprint of the extraction code and data (:func:`extraction_fingerprint`):
    a changed extractor re-extracts stored documents on the next ``track add``."""
    names = ",".join(f"{k}/{v}" for k, v in sorted(doc.extractors.items()))
    return names if doc.reader == "jsonl" else f"{names}+{extraction_fingerprint()}"


EXTRACTION_SOURCES = ("extract", "structure", "grammar", "ingest", "normalize.py", "models.py", "pipeline.py",
                      "lexicon.py", "data")


@functools.cache
def extraction_fingerprint() -> str:
    """The first 12 hex digits of the hash of the package's extraction code and data files (extract/,
    structure/, grammar/, ingest/, normalize.py, data/ …): it changes whenever what extraction does may."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in EXTRACTION_SOURCES:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            # compiled files are left out (the C matcher's .so differs by machine; its .c is in)
            if f.suffix in (".pyc", ".so", ".pyd") or "__pycache__" in f.parts or f.name.startswith("tracker_"):
                continue
            digest.update(f.relative_to(root).as_posix().encode())
            digest.update(f.read_bytes())
    return digest.hexdigest()[:12]


def text_key(text: str) -> str:
    """The hash of a document's normalised text (NFKC, without spaces and punctuation): the same
    document read from DOCX and from PDF has the same key."""
    flat = re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text))
    return hashlib.sha256(flat.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def jurisdiction(doc: Document) -> str | None:
    """The government a document belongs to (重庆市, 武汉市江夏区, 国务院 for central organs)."""
    from ..lexicon import places

    from .sentences import delivered_by

    # a report with no issuer in its header: the government it is delivered for (我代表国务院，向大会报告)
    issuer = (doc.header.issuer if doc.header else None) or delivered_by(doc.text) or ""
    if issuer.startswith(("国务院", "中共中央", "党中央", "全国", "中央")) or issuer.endswith("部"):
        return "中央"
    known = places()
    best = ""
    for end in range(2, min(len(issuer), 12) + 1):
        if issuer[:end] in known:
            best = issuer[:end]
    for end in range(len(best) + 2, min(len(issuer), 16) + 1):  # 武汉市 + 江夏区
        if issuer[len(best):end] in known:
            best = issuer[:end]
    if best:
        return best
    for dep in doc.departments:
        if dep.canonical:
            m = re.match(r"([\u4e00-\u9fff]{2,8}?[省市区县])", dep.canonical)
            if m and m.group(1) in known:
                return m.group(1)
    return None


def doc_date(doc: Document) -> str | None:
    h = doc.header
    if h is None:
        return None
    value = h.written or h.published
    return value.isoformat() if value else None


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def add(db: Database, records: Iterable[Document | Problem], *, command: str = "track add",
        on_problem: Callable[[Problem], None] | None = None) -> dict[str, int]:
    """Store documents (and problem records) in ``db``; returns counts of added, updated, unchanged and
    failed (problem records, and documents refused by :func:`vet` or for a changed text), each failure
    also passed to ``on_problem``."""
    migrate(db)
    with write(db):
        run_id = db["runs"].insert({"command": command, "started_at": now(), "version": _version()}).last_pk
    counts = {"added": 0, "updated": 0, "unchanged": 0, "failed": 0}
    for record in records:
        if isinstance(record, Document):
            try:
                counts[add_document(db, record, run_id)] += 1
                continue
            except RecordRefused as exc:
                record = Problem(source=record.source, stage="track", code=exc.code, reason=exc.reason)
        with write(db):
            db["problems"].insert({"run_id": run_id, "source": record.source, "stage": record.stage,
                                   "code": record.code, "reason": record.reason})
        counts["failed"] += 1
        if on_problem is not None:
            on_problem(record)
    with write(db):
        db["runs"].update(run_id, {"finished_at": now(), "n_ok": counts["added"] + counts["updated"]
                                   + counts["unchanged"], "n_failed": counts["failed"]})
    return counts


def add_document(db: Database, doc: Document, run_id: int | None = None) -> str:
    """Store one document and its records in one transaction; 'added', 'updated' or 'unchanged'.

    A commitment the new extractor version no longer finds is retired, its reviewer's verdict carried
    to the commitment that replaces it (:mod:`.supersede`); one a reviewer judged stays when nothing
    replaces it. Raises :class:`~sqzl_docs.errors.RecordRefused` for a record :func:`vet` refuses or
    whose text differs from the stored document's."""
    vet(doc)
    version = extractor_version(doc)
    key = text_key(doc.text)
    if _same_version(_stored_version(db, doc), version) and _has_source(db, doc.doc_id, doc.source):
        return "unchanged"  # fast path; checked again under the lock
    twin = _twin(db, doc, key)
    if twin is not None:  # one document, one row: the same text in another format adds a source
        with write(db):
            _add_source(db, twin, doc.source)
        return "unchanged"
    date = doc_date(doc)
    commitments = _commitment_rows(doc, date, version)
    text_seg = segment(doc.text)
    with write(db):  # one transaction: a killed run leaves whole documents or none
        existing = _stored_version(db, doc)
        if _same_version(existing, version):
            _add_source(db, doc.doc_id, doc.source)
            return "unchanged"  # another process stored it meanwhile
        sources = _sources(db, doc.doc_id)
        if existing is not None:
            _delete_machine_rows(db, doc.doc_id)
        h = doc.header
        db["documents"].upsert({
            "id": doc.doc_id, "source": doc.source, "sha256": doc.sha256, "title": h.title if h else None,
            "doc_type": h.doc_type if h else None, "issuer": h.issuer if h else None,
            "jurisdiction": jurisdiction(doc), "doc_number": h.doc_number if h else None,
            "published": _iso(h.published) if h else None, "written": _iso(h.written) if h else None,
            "doc_date": date, "text": doc.text, "text_seg": text_seg,
            "extractor_version": version, "added_at": now(), "run_id": run_id,
            "sources": json.dumps(sources + [doc.source] if doc.source not in sources else sources,
                                  ensure_ascii=False),
            "text_key": key,
        }, pk="id")
        db["commitments"].upsert_all(commitments, pk="id")
        if existing is not None:
            retire(db, doc.doc_id, {c["id"] for c in commitments})
        db["progress"].upsert_all([{
            "id": row_id(doc.doc_id, "progress", p.span.text), "document_id": doc.doc_id, "text": p.span.text,
            "text_seg": segment(p.span.text), "start": p.span.start, "end": p.span.end,
            "departments": json.dumps(p.departments, ensure_ascii=False),
            "keywords": json.dumps(p.keywords, ensure_ascii=False), "doc_date": date, "extractor_version": version,
        } for p in doc.progress], pk="id")
        db["metrics"].upsert_all([{
            "id": row_id(doc.doc_id, "metric", m.span.start, m.value), "document_id": doc.doc_id,
            "text": m.span.text, "start": m.span.start, "end": m.span.end, "value": m.value, "unit": m.unit,
            "qualifier": m.qualifier, "from_value": m.from_value, "subject": m.subject, "per": m.per,
        } for m in doc.metrics], pk="id")
        db["departments"].upsert_all([{
            "id": row_id(doc.doc_id, "department", d.span.start), "document_id": doc.doc_id, "name": d.name,
            "canonical": d.canonical, "role": d.role, "start": d.span.start, "end": d.span.end,
        } for d in doc.departments], pk="id")
        db["doc_numbers"].upsert_all([{
            "id": row_id(doc.doc_id, "doc_number", n.span.start), "document_id": doc.doc_id, "text": n.span.text,
            "canonical": n.canonical, "own": int(n.own), "repaired": int(n.repaired), "start": n.span.start,
            "end": n.span.end,
        } for n in doc.doc_numbers], pk="id")
        db["citations"].upsert_all([{
            "id": row_id(doc.doc_id, "citation", c.title), "document_id": doc.doc_id, "title": c.title,
            "doc_number": c.doc_number, "start": c.span.start, "end": c.span.end,
        } for c in doc.citations], pk="id")
    return "updated" if existing is not None else "added"


def _same_version(stored: str | None, version: str) -> bool:
    """Whether a stored document needs no re-extraction: the same version, or a JSON Lines record (which
    carries no fingerprint) of the same extractor versions as the stored one."""
    if stored is None:
        return False
    return stored == version or ("+" not in version and stored.split("+", 1)[0] == version)


def _sources(db: Database, doc_id: str) -> list[str]:
    row = db.execute("SELECT sources FROM documents WHERE id = ?", [doc_id]).fetchone()
    return list(json.loads(row[0])) if row and row[0] else []


def _has_source(db: Database, doc_id: str, source: str) -> bool:
    return source in _sources(db, doc_id)


def _add_source(db: Database, doc_id: str, source: str) -> None:
    sources = _sources(db, doc_id)
    if source not in sources:
        db["documents"].update(doc_id, {"sources": json.dumps(sources + [source], ensure_ascii=False)})


def _twin(db: Database, doc: Document, key: str) -> str | None:
    """Another stored document with the same normalised text, or the same 发文字号, title and date."""
    row = db.execute("SELECT id FROM documents WHERE text_key = ? AND id != ? LIMIT 1", [key, doc.doc_id]).fetchone()
    if row is None and doc.header and doc.header.doc_number and doc.header.title and doc_date(doc):
        row = db.execute("SELECT id FROM documents WHERE doc_number = ? AND title = ? AND doc_date = ? AND id != ? "
                         "LIMIT 1", [doc.header.doc_number, doc.header.title, doc_date(doc), doc.doc_id]).fetchone()
    return str(row[0]) if row else None


def _stored_version(db: Database, doc: Document) -> str | None:
    """The extractor version the document is stored under (None if it is not); refuses a record whose
    text or sha256 differs from the stored document's with the same id."""
    row = db.execute("SELECT extractor_version, text, sha256 FROM documents WHERE id = ?", [doc.doc_id]).fetchone()
    if row is None:
        return None
    if row[1] != doc.text or row[2] != doc.sha256:
        raise RecordRefused(f"{doc.source}: doc_id {doc.doc_id} is stored with another text; a document's id is "
                            "its content's hash, so this record is forged or damaged, not an update "
                            "(the stored document, its commitments and verdicts are unchanged)",
                            code="track.text_changed")
    return str(row[0])


TEXT_HASHED = ("text", "jsonl")  # readers whose sha256 is the hash of the text itself (UTF-8)
_SHA256 = re.compile(r"[0-9a-f]{64}")


def vet(doc: Document) -> None:
    """Refuse a record whose identity does not match its content (:class:`RecordRefused`): ``doc_id``
    must be the start of ``sha256``, ``sha256`` the hash of the text for the readers that hash the
    text, and every span the tracker stores must quote the text exactly.

    >>> vet(Document.from_text("到2025年建成社区服务中心。"))
    >>> vet(Document.from_text("原文").model_copy(update={"text": "伪造"}))
    Traceback (most recent call last):
    ...
    sqzl_docs.errors.RecordRefused: <text>: sha256 is not the hash of the document's text (forged or damaged record)
    """
    if not _SHA256.fullmatch(doc.sha256) or doc.doc_id != doc.sha256[:16]:
        raise RecordRefused(f"{doc.source}: doc_id {doc.doc_id!r} is not the start of sha256 {doc.sha256[:20]!r}… "
                            "(forged or damaged record)")
    if doc.reader in TEXT_HASHED and \
            hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest() != doc.sha256:
        raise RecordRefused(f"{doc.source}: sha256 is not the hash of the document's text (forged or damaged record)")
    for what, span in _spans(doc):
        if span.end < span.start or doc.text[span.start:span.end] != span.text:
            raise RecordRefused(f"{doc.source}: the {what} span {span.start}-{span.end} does not quote the text "
                                "(forged or damaged record)")


def _spans(doc: Document) -> Iterator[tuple[str, Span]]:
    for c in doc.commitments:
        yield "commitment", c.span
        yield "commitment item", c.item
        for t in c.targets:
            yield "target", t.span
    for p in doc.progress:
        yield "progress", p.span
    for m in doc.metrics:
        yield "metric", m.span
    for d in doc.departments:
        yield "department", d.span
    for n in doc.doc_numbers:
        yield "document number", n.span
    for ci in doc.citations:
        yield "citation", ci.span


def _commitment_rows(doc: Document, date: str | None, version: str) -> list[dict[str, Any]]:
    """One row per tracked undertaking (:mod:`.clauses`): a commitment promising figures gives one row
    per target clause, with the clause as its text; the commitment keeps its own row too when its
    clauses stand in its scope, not in its own words. Figures describing the present are not targets."""
    rows = []
    plan = periods(doc.text, doc.header.title if doc.header else None)
    tracked: set[tuple[int, int, int]] = set()
    for c in doc.commitments:
        base = row_id(doc.doc_id, "commitment", re.sub(r"\s", "", c.span.text))
        year = None if c.deadline else plan.plan_year_at(c.span.start)  # a year's plan is due at its end
        common = {
            "document_id": doc.doc_id, "parent_id": base, "item_text": doc.text[c.item.start:c.item.end],
            "section_path": json.dumps(c.section_path, ensure_ascii=False), "action": c.action,
            "deadline_start": _iso(c.deadline.start) if c.deadline else f"{year}-01-01" if year else None,
            "deadline_end": _iso(c.deadline.end) if c.deadline else f"{year}-12-31" if year else None,
            "deadline_source": c.deadline.source if c.deadline else "plan_year" if year else None,
            "departments": json.dumps(c.departments, ensure_ascii=False),
            "departments_defaulted": int(c.departments_defaulted), "strength": c.strength,
            "keywords": json.dumps(c.keywords, ensure_ascii=False), "testable": int(c.testable),
            "testability_reasons": json.dumps(c.testability_reasons, ensure_ascii=False), "doc_date": date,
            "extractor_version": version, "retired_at": None, "superseded_by": None,
        }
        own = {"text": c.span.text, "text_seg": segment(c.span.text), "start": c.span.start, "end": c.span.end}
        every = _clauses(doc.text, _targets(doc, c, year is not None or bool(c.deadline)), (c.span.start, c.span.end))
        found = [(k, t) for k, t in every if (k.start, k.end, k.part) not in tracked]  # a clause is tracked once
        tracked.update((k.start, k.end, k.part) for k, _t in found)
        inside = [(k, t) for k, t in found if k.start < c.span.end and k.end > c.span.start]
        if not found and any(k.start < c.span.end and k.end > c.span.start for k, _t in every):
            continue  # its own target clause is already tracked under another commitment: the same undertaking
        if len(found) == 1 and inside:
            k, t = found[0]
            rows.append({**common, **own, "id": base, **_target(t, k)})
            continue
        if not inside:
            rows.append({**common, **own, "id": base, **_target(None, None)})
        names = [t.span.text for _k, t in found]
        for k, t in found:  # the target's text names the row; its place too when two targets read alike (7%左右)
            rid = row_id(base, t.span.text) if names.count(t.span.text) == 1 else row_id(base, t.span.text, k.start)
            rows.append({**common, "id": rid, "text": k.text, "text_seg": segment(k.text),
                         "start": k.start, "end": k.end, **_target(t, k)})
    return rows


def _targets(doc: Document, c: Any, planned: bool) -> list[Any]:
    """The commitment's targets; in a plan with a deadline (a year's plan, a dated item), also the figures
    of its item's body the extractor left out of them (年内新增200根公用和专用充电桩), as a metric is a
    target only in a clause that promises it (:func:`.clauses.target_clause`)."""
    if not planned:
        return list(c.targets)
    seen = {(t.span.start, t.span.end) for t in c.targets}
    extra = [m for m in doc.metrics if c.item.start <= m.span.start < c.item.end
             and (m.span.start, m.span.end) not in seen and m.unit not in ("年", "月", "日")]
    return sorted([*c.targets, *extra], key=lambda t: t.span.start)


def _clauses(text: str, targets: Iterable[Any], within: tuple[int, int]) -> list[tuple[Clause, Any]]:
    """The target clauses of a commitment's targets, one per clause (its first figure); a figure outside
    the commitment's own words (``within``) only in a clause that promises it."""
    out: dict[tuple[int, int, int], tuple[Clause, Any]] = {}  # one per clause (per indicator of 分别为A和B)
    targets = list(targets)
    spans = [clause_around(text, t.span.start, t.span.end) for t in targets]
    for t, span in zip(targets, spans):
        shared = spans.count(span) > 1
        k = target_clause(text, t.span.start, t.span.end, t.qualifier, shared=shared)
        if k is not None and not (within[0] <= t.span.start < within[1]) and not promises(text[span[0]:span[1]]):
            continue  # a figure of the item's body that nothing promises (4026人重伤)
        if k is not None and (k.start, k.end, k.part) not in out:
            out[(k.start, k.end, k.part)] = (k, t)
    return list(out.values())


def _target(t: Any, k: Clause | None) -> dict[str, Any]:
    if t is None or k is None:
        return {"target_text": None, "target_value": None, "target_unit": None, "target_qualifier": None,
                "target_subject": None, "indicator": None}
    return {"target_text": t.span.text, "target_value": t.value, "target_unit": t.unit,
            "target_qualifier": k.comparator, "target_subject": t.subject, "indicator": k.indicator or None}


def _delete_machine_rows(db: Database, document_id: str) -> None:
    """Before re-storing a document with a new extractor version: drop its machine rows. Commitments
    are upserted instead (and the ones not found again retired), so the assessments of a commitment
    that is extracted again keep it."""
    db.execute("DELETE FROM evidence WHERE document_id = ? OR progress_id IN "
               "(SELECT id FROM progress WHERE document_id = ?)", [document_id, document_id])
    for table in ("progress", "metrics", "departments", "doc_numbers", "citations"):
        db.execute(f"DELETE FROM [{table}] WHERE document_id = ?", [document_id])


def now() -> str:
    """The time of a row, in UTC, to the second (ISO 8601)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _version() -> str:
    from ..version import __version__

    return __version__
