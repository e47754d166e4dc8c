"""Human-readable summaries of extraction output."""

from __future__ import annotations

from .models import Document, Problem, Section


def _count(sections: list[Section]) -> int:
    return sum(1 + _count(s.children) for s in sections)


def summary_table(records: list[Document | Problem]) -> str:
    """A plain-text table: one row per document or problem, then totals."""
    rows = [("source", "reader", "chars", "pages", "type", "title", "sections", "closing date",
             "numbers", "dates", "metrics", "depts", "commit", "progress", "warn")]
    problems: list[str] = []
    warnings: list[str] = []
    for r in records:
        if isinstance(r, Problem):
            problems.append(f"  FAILED {r.source}: [{r.code}] {r.reason}")
            continue
        s = r.structure
        pages = max((b.page or 0 for b in r.blocks), default=0) or "-"
        date = s.closing.date_value.isoformat() if s.closing.date_value else "-"
        if s.closing.date_repaired:
            date += " (repaired)"
        title = (s.title_text or "-")
        rows.append((r.source.split("/")[-1][:40], r.reader, str(len(r.text)), str(pages),
                     r.header.doc_type if r.header else "-", title[:24] + ("…" if len(title) > 24 else ""),
                     str(_count(s.sections)), date, str(len(r.doc_numbers)), str(len(r.dates)),
                     str(len(r.metrics)), str(len(r.departments)), str(len(r.commitments)),
                     str(len(r.progress)), str(len(r.warnings))))
        warnings.extend(f"  WARNING {r.source}: {w.reason}" for w in r.warnings)
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)) for row in rows]
    docs = [r for r in records if isinstance(r, Document)]
    lines.append(f"{len(docs)} documents, {len(problems)} problems: "
                 f"{sum(len(d.commitments) for d in docs)} commitments, "
                 f"{sum(len(d.progress) for d in docs)} progress statements, "
                 f"{sum(len(d.metrics) for d in docs)} metrics, {sum(len(d.dates) for d in docs)} dates, "
                 f"{sum(len(d.departments) for d in docs)} departments, {len(warnings)} warnings")
    return "\n".join(lines + problems + warnings)


def _width(s: str) -> int:
    return sum(2 if ord(c) > 0x2E7F else 1 for c in s)
