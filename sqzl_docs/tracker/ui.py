"""The reviewer UI: a Datasette plugin that `sqzl track serve` loads beside :mod:`.guard`.

Pages (Datasette routes, rendered from ``datasette/templates/``):

- ``/-/commitment/ID``: the commitment in its paragraph (highlighted), deadline, departments, status in
  Chinese and English with the machine's rationale, the evidence quotes (each a link that opens the later
  document at the quote), the assessment history oldest first, and in writable mode the verdict form;
- ``/-/document/ID``: the text as paragraphs with its extracted items marked, and its commitments;
- ``/-/search?q=``: commitments, progress statements and documents for a query in plain Chinese (the
  query is segmented with jieba, as the index is: :func:`.text.fts_query`);
- ``/-/charts``: the scorecard by department (statuses stacked) and the deadlines per quarter, as SVG;
- ``/-/department/NAME``: one organ's commitments, under one name for all its names (``ui.yaml``);
- ``/-/verdict`` (POST, writable mode): checks a verdict as ``sqzl track verdict`` does and refuses an
  unknown commitment, status or evidence quote with a message; a good one is written by the canned query
  ``record_verdict`` itself (its SQL, its ``allow`` rule), the one write the server makes.

In Datasette's own tables and canned queries: Chinese column labels (English beside them), statuses as
coloured labels, ids as links, departments as lists of links (``render_cell``, ``_table.html``).
Every connection gets two SQL functions (``prepare_connection``): ``sqzl_fts(words)`` (a MATCH
expression for a Chinese query) and ``sqzl_organ(name)`` (the organ's one name); Datasette's own
``escape_fts``, which its table search box uses, is replaced by ``sqzl_fts``. Nothing is written to
the database's schema: no view, no table.
"""

from __future__ import annotations

import functools
import html
import json
import re
import sqlite3
from importlib import resources
from typing import Any
from urllib.parse import quote, unquote, urlencode

import yaml
from datasette import Forbidden, Response, hookimpl
from markupsafe import Markup, escape

from .schema import STATUSES
from .text import fts_query

VERDICT_QUERY = "record_verdict"
QUOTE_LINE = "\n证据 · evidence：「{}」"  # how the form appends an evidence quote to the verdict's note
NOTE_QUOTE_RE = re.compile(r"\n证据 · evidence：「(.+?)」(?=\n|$)")
SEARCH_LIMIT = 100
TRUNCATE = 80  # characters of a long text column shown in a list
LONG_COLUMNS = frozenset({"text", "text_seg", "item_text", "quote"})
DATE_RE = re.compile(r"(?:19|20)\d{2}年(?:\d{1,2}月(?:\d{1,2}日)?)?(?:底|末|前|以前|年底)?"
                     r"|(?:19|20)\d{2}[—–-](?:19|20)\d{2}年|\d{1,2}月\d{1,2}日|(?:19|20)\d{2}-\d{2}-\d{2}")


# --- data ------------------------------------------------------------------------------------------

@functools.cache
def labels() -> dict[str, Any]:
    path = resources.files("sqzl_docs.tracker").joinpath("datasette/ui.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["_rationales"] = [(re.compile(p), zh) for p, zh in data.get("rationales", [])]
    data["_organ_of"] = {alias: organ for organ, aliases in data.get("organs", {}).items()
                         for alias in [organ, *aliases]}
    return data


def status_zh(status: str | None) -> str:
    entry = labels()["statuses"].get(status or "")
    return entry[0] if entry else (status or "")


def status_label(status: str | None) -> Markup:
    """A coloured label: 中文 · English."""
    entry = labels()["statuses"].get(status or "")
    if not entry:
        return Markup('<span class="sqzl-status">{}</span>').format(status or "—")
    zh, en, colour = entry
    return Markup('<span class="sqzl-status sqzl-status-{}" style="background:{}" title="{}">{} · {}</span>').format(
        status, colour, status, zh, en)


def rationale_zh(text: str | None) -> str | None:
    """The Chinese of a machine rationale (``ui.yaml``), or None when no pattern matches."""
    if not text:
        return None
    for pattern, zh in labels()["_rationales"]:
        m = pattern.fullmatch(text.strip())
        if m:
            return re.sub(r"\{(\d+)\}", lambda g: m.group(int(g.group(1))) or "", zh)
    return None


def organ(name: str, canonical: str | None = None) -> str:
    """One name per organ: ``ui.yaml``'s organs, by the name or by the departments table's canonical form."""
    of = labels()["_organ_of"]
    return of.get(name) or (of.get(canonical) if canonical else None) or name


def column_label(column: str) -> str:
    return str(labels()["columns"].get(column, ""))


# --- SQLite ----------------------------------------------------------------------------------------

def _canonical_names(conn: sqlite3.Connection) -> dict[str, str]:
    try:
        rows = conn.execute("SELECT DISTINCT name, canonical FROM main.departments WHERE canonical IS NOT NULL").fetchall()
    except sqlite3.Error:
        return {}
    out: dict[str, str] = {}
    for row in rows:
        name, canonical = row[0], row[1]
        if isinstance(name, str) and isinstance(canonical, str) and canonical in labels()["_organ_of"]:
            out[name] = canonical
    return out


def _fts(q: Any) -> str:
    return fts_query(q) if isinstance(q, str) and q.strip() else '""'


@hookimpl(trylast=True)  # after Datasette's own escape_fts, which this one replaces
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    if database == "_internal":
        return
    canonical = _canonical_names(conn)
    conn.create_function("sqzl_fts", 1, _fts, deterministic=True)
    # Datasette's table search box ("Search:") runs `MATCH escape_fts(:search)`: every FTS index of the
    # tracker holds jieba-segmented text, so the query is segmented the same way.
    conn.create_function("escape_fts", 1, _fts, deterministic=True)
    conn.create_function("sqzl_organ", 1, lambda n: organ(n, canonical.get(n)) if isinstance(n, str) else n,
                         deterministic=True)


def _db(datasette: Any) -> Any:
    for name, db in datasette.databases.items():
        if name != "_internal":
            return db
    raise Forbidden("no database")


async def _rows(db: Any, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    result = await db.execute(sql, params)
    cols = list(result.columns)
    return [dict(zip(cols, tuple(r))) for r in result.rows]


async def _columns(db: Any, table: str) -> set[str]:
    return {r["name"] for r in await _rows(db, f"SELECT name FROM pragma_table_info('{table}')")}


async def _organs(db: Any) -> dict[str, str]:
    """name -> organ, for every department name in the tracker."""
    try:
        rows = await _rows(db, "SELECT DISTINCT name, canonical FROM departments")
    except Exception:  # noqa: BLE001 - an older or newer schema: names as they are
        rows = []
    return {r["name"]: organ(r["name"], r["canonical"]) for r in rows if r["name"]}


STATUS_COLUMNS = ("commitment_id", "commitment", "target_text", "document", "document_id", "deadline", "status")


async def _status_columns(db: Any) -> str:
    """The select list of commitment_status's columns the lists show; NULL for one a schema lacks."""
    have = await _columns(db, "commitment_status")
    return ", ".join(f"s.{c}" if c in have else f"NULL AS {c}" for c in STATUS_COLUMNS)


def _json_list(value: Any) -> list[Any]:
    if not isinstance(value, str) or not value.startswith("["):
        return []
    try:
        out = json.loads(value)
    except ValueError:
        return []
    return out if isinstance(out, list) else []


def dept_links(names: list[str], organs: dict[str, str] | None = None) -> Markup:
    seen: list[str] = []
    for n in names:
        o = (organs or {}).get(n) or organ(n)
        if o not in seen:
            seen.append(o)
    if not seen:
        return Markup('<span class="sqzl-none">—</span>')
    return Markup('<ul class="sqzl-depts">{}</ul>').format(Markup("").join(
        Markup('<li><a href="/-/department/{}">{}</a></li>').format(quote(o, safe=""), o) for o in seen))


# --- marked text -----------------------------------------------------------------------------------

def marked_paragraphs(text: str, spans: list[tuple[int, int, str, str]], highlight: tuple[int, int] | None = None,
                      ) -> list[Markup]:
    """The text split into paragraphs, each character inside spans wrapped in ``<span class=…>`` (spans
    may overlap: each run of characters with one set of classes is one element); ``highlight``, a
    (start, end) pair, becomes ``<mark id="hl">``. ``spans`` are (start, end, class, title)."""
    n = len(text)
    spans = [(max(0, s), min(n, e), c, t) for s, e, c, t in spans if isinstance(s, int) and isinstance(e, int) and s < e]
    if highlight and 0 <= highlight[0] < highlight[1] <= n:
        spans.append((highlight[0], highlight[1], "hl", ""))
    cuts = sorted({0, n, *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans),
                   *(i + 1 for i, ch in enumerate(text) if ch == "\n")})
    paragraphs: list[Markup] = []
    current: list[Markup] = []
    hl_done = False
    for a, b in zip(cuts, cuts[1:]):
        piece = text[a:b]
        active = [(c, t) for s, e, c, t in spans if s <= a and b <= e]
        body = piece.rstrip("\n")
        if body:
            frag: Markup = escape(body)
            classes = sorted({c for c, _ in active if c != "hl"})
            if classes:
                titles = "；".join(sorted({t for _, t in active if t}))
                frag = Markup('<span class="{}" title="{}">{}</span>').format(
                    " ".join(f"sqzl-m-{c}" for c in classes), titles, frag)
            if any(c == "hl" for c, _ in active):
                mark_id = Markup(' id="hl"') if not hl_done else Markup("")
                hl_done = True
                frag = Markup('<mark class="sqzl-hl"{}>{}</mark>').format(mark_id, frag)
            current.append(frag)
        if piece.endswith("\n"):
            if current:
                paragraphs.append(Markup("").join(current))
            current = []
    if current:
        paragraphs.append(Markup("").join(current))
    return paragraphs


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    a = text.rfind("\n", 0, max(0, start)) + 1
    b = text.find("\n", max(start, end))
    return a, (len(text) if b < 0 else b)


# --- pages -----------------------------------------------------------------------------------------

async def _render(datasette: Any, request: Any, template: str, context: dict[str, Any], status: int = 200) -> Response:
    db = _db(datasette)
    context = {"db_name": db.name, "status_label": status_label, "status_zh": status_zh, "labels": labels(),
               "writable": db.is_mutable, **context}
    page = await datasette.render_template(template, context, request=request)
    return Response.html(page, status=status)


async def _can_verdict(datasette: Any, request: Any) -> bool:
    db = _db(datasette)
    if not db.is_mutable or request.actor is None:
        return False
    query = await datasette.get_canned_query(db.name, VERDICT_QUERY, request.actor)
    if not query or not query.get("write"):
        return False
    return bool(await datasette.permission_allowed(request.actor, "view-query", resource=(db.name, VERDICT_QUERY),
                                                   default=True))


async def commitment_page(request: Any, datasette: Any) -> Response:
    return await _commitment_page(request, datasette)


async def _commitment_page(request: Any, datasette: Any, *, cid: str | None = None,
                          form: dict[str, str] | None = None, error: str | None = None) -> Response:
    db = _db(datasette)
    cid = unquote(request.url_vars["id"]) if cid is None else cid
    rows = await _rows(db, "SELECT c.*, d.title AS doc_title, d.issuer AS doc_issuer, d.doc_date AS doc_doc_date, "
                           "d.text AS doc_text FROM commitments c JOIN documents d ON d.id = c.document_id "
                           "WHERE c.id = ?", [cid])
    if not rows:
        return await _render(datasette, request, "sqzl_error.html", {
            "title": "未知承诺 · Unknown commitment",
            "message": f"没有编号为 {cid!r} 的承诺 · no commitment has the id {cid!r}"}, status=404)
    c = rows[0]
    text = c.pop("doc_text") or ""
    start, end = c.get("start"), c.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        a, b = paragraph_bounds(text, start, end)
        paragraph = marked_paragraphs(text[a:b], [], (start - a, end - a))
    else:
        paragraph = [escape(c.get("item_text") or c.get("text") or "")]
    status = (await _rows(db, "SELECT * FROM commitment_status WHERE commitment_id = ?", [cid]) or [{}])[0]
    history = await _rows(db, "SELECT * FROM assessments WHERE commitment_id = ? ORDER BY id", [cid])
    if not status and history:  # retired: not in the view
        status = {"status": history[-1]["status"], "rationale": history[-1]["rationale"],
                  "assessor": history[-1]["assessor"]}
    current_ids: set[str] = set()
    for h in history:
        h["rationale_zh"] = rationale_zh(h.get("rationale"))
        h["quotes"] = [q for q in _json_list(h.get("evidence_ids")) if isinstance(q, dict)]
        note = h.get("note") or ""
        if NOTE_QUOTE_RE.search(note):  # a verdict from the form: its quotes are lines of the note
            h["note"] = NOTE_QUOTE_RE.sub("", note).rstrip()
            for q in NOTE_QUOTE_RE.findall(note):
                hit = await _rows(db, "SELECT id, instr(text, ?) - 1 AS start FROM documents WHERE instr(text, ?) > 0 "
                                      "LIMIT 1", [q, q])
                h["quotes"].append({"quote": q, "document_id": hit[0]["id"] if hit else None,
                                    "start": hit[0]["start"] if hit else None,
                                    "end": hit[0]["start"] + len(q) if hit else None})
    if status.get("assessment_id"):
        latest = [h for h in history if h["id"] == status["assessment_id"]]
        if latest:
            current_ids = {str(e) for e in _json_list(latest[0].get("evidence_ids")) if isinstance(e, str)}
    ev_cols = await _columns(db, "evidence")
    order = "e.score DESC" if "score" in ev_cols else "e.rowid"
    evidence = await _rows(db, f"SELECT e.*, d.title AS doc_title, d.doc_date AS doc_doc_date FROM evidence e "
                               f"JOIN documents d ON d.id = e.document_id WHERE e.commitment_id = ? ORDER BY {order}",
                           [cid])
    for e in evidence:
        e["cited"] = str(e.get("id")) in current_ids
        e["reasons_list"] = [(r, rationale_zh(r)) for r in _json_list(e.get("reasons")) if isinstance(r, str)]
        if not e["reasons_list"] and isinstance(e.get("reasons"), str) and e["reasons"]:
            e["reasons_list"] = [(e["reasons"], rationale_zh(e["reasons"]))]
        e["href"] = _quote_href(e.get("document_id"), e.get("start"), e.get("end"))
    evidence.sort(key=lambda e: not e["cited"])
    organs = await _organs(db)
    context = {
        "c": c, "paragraph": paragraph, "status": status, "rationale_zh": rationale_zh(status.get("rationale")),
        "history": history, "evidence": evidence, "statuses": STATUSES,
        "departments": dept_links([d for d in _json_list(c.get("departments")) if isinstance(d, str)], organs),
        "can_verdict": await _can_verdict(datasette, request), "form": form or {}, "error": error,
        "quote_href": _quote_href, "title": (c.get("text") or "")[:40],
    }
    return await _render(datasette, request, "sqzl_commitment.html", context, status=400 if error else 200)


def _quote_href(document_id: Any, start: Any, end: Any) -> str:
    if not document_id:
        return ""
    url = f"/-/document/{quote(str(document_id), safe='')}"
    if isinstance(start, int) and isinstance(end, int):
        url += f"?{urlencode({'hl': f'{start}-{end}'})}#hl"
    return url


async def document_page(request: Any, datasette: Any) -> Response:
    db = _db(datasette)
    did = unquote(request.url_vars["id"])
    rows = await _rows(db, "SELECT * FROM documents WHERE id = ?", [did])
    if not rows:
        return await _render(datasette, request, "sqzl_error.html", {
            "title": "未知文件 · Unknown document",
            "message": f"没有编号为 {did!r} 的文件 · no document has the id {did!r}"}, status=404)
    d = rows[0]
    text = d.get("text") or ""
    commitments = await _rows(db, "SELECT c.id, c.text, c.start, c.\"end\", c.deadline_end, s.status "
                                  "FROM commitments c LEFT JOIN commitment_status s ON s.commitment_id = c.id "
                                  "WHERE c.document_id = ? AND c.retired_at IS NULL ORDER BY c.start", [did])
    spans: list[tuple[int, int, str, str]] = []
    for c in commitments:
        spans.append((c["start"], c["end"], "commitment", f"承诺 · commitment: {status_zh(c['status'])}"))
    for table, cls, title in (("metrics", "metric", "数值 · metric"), ("departments", "department", "责任单位 · department"),
                              ("progress", "progress", "进展表述 · progress"), ("doc_numbers", "docnumber", "文号 · document number"),
                              ("citations", "citation", "引用文件 · citation")):
        try:
            for r in await _rows(db, f'SELECT start, "end" FROM {table} WHERE document_id = ?', [did]):
                spans.append((r["start"], r["end"], cls, title))
        except Exception:  # noqa: BLE001 - a table this tracker does not have
            continue
    spans.extend((m.start(), m.end(), "date", "日期 · date") for m in DATE_RE.finditer(text))
    hl = None
    m = re.fullmatch(r"(\d+)-(\d+)", request.args.get("hl", ""))
    if m:
        hl = (int(m.group(1)), int(m.group(2)))
    counts: dict[str, int] = {}
    for _, _, cls, _ in spans:
        counts[cls] = counts.get(cls, 0) + 1
    context = {"d": d, "paragraphs": marked_paragraphs(text, spans, hl), "commitments": commitments,
               "counts": counts, "title": d.get("title") or did, "highlighted": hl is not None}
    return await _render(datasette, request, "sqzl_document.html", context)


async def search_page(request: Any, datasette: Any) -> Response:
    db = _db(datasette)
    q = request.args.get("q", "").strip()
    results: dict[str, list[dict[str, Any]]] = {"commitments": [], "progress": [], "documents": []}
    words: list[str] = []
    if q:
        from .text import tokens

        words = tokens(q)
        match = fts_query(q)
        results["commitments"] = await _rows(db, (
            f"SELECT {await _status_columns(db)} "
            "FROM commitments_fts f JOIN commitments c ON c.rowid = f.rowid "
            "JOIN commitment_status s ON s.commitment_id = c.id "
            f"WHERE commitments_fts MATCH ? ORDER BY rank LIMIT {SEARCH_LIMIT}"), [match])
        results["progress"] = await _rows(db, (
            "SELECT p.id, p.text, p.document_id, p.start, p.\"end\", coalesce(d.title, d.source, d.id) AS document, d.doc_date "
            "FROM progress_fts f JOIN progress p ON p.rowid = f.rowid JOIN documents d ON d.id = p.document_id "
            f"WHERE progress_fts MATCH ? ORDER BY rank LIMIT {SEARCH_LIMIT}"), [match])
        results["documents"] = await _rows(db, (
            "SELECT d.id, coalesce(d.title, d.source, d.id) AS title, d.issuer, d.doc_date FROM documents_fts f JOIN documents d ON d.rowid = f.rowid "
            f"WHERE documents_fts MATCH ? ORDER BY rank LIMIT {SEARCH_LIMIT}"), [match])
        for p in results["progress"]:
            p["href"] = _quote_href(p["document_id"], p["start"], p["end"])
    return await _render(datasette, request, "sqzl_search.html", {
        "q": q, "words": words, "results": results, "title": f"检索 · Search {q}"})


async def department_page(request: Any, datasette: Any) -> Response:
    db = _db(datasette)
    name = unquote(request.url_vars["name"])
    organs = await _organs(db)
    names = sorted({n for n, o in organs.items() if o == name} | {name})
    rows = await _rows(db, (
        f"SELECT DISTINCT {await _status_columns(db)}, j.value AS named "
        "FROM commitment_status s, json_each(s.departments) j WHERE j.value IN (SELECT value FROM json_each(?)) "
        "ORDER BY s.deadline IS NULL, s.deadline"), [json.dumps(names, ensure_ascii=False)])
    seen: dict[str, dict[str, Any]] = {}
    for r in rows:
        seen.setdefault(r["commitment_id"], r)
    counts: dict[str, int] = {}
    for r in seen.values():
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return await _render(datasette, request, "sqzl_department.html", {
        "name": name, "names": names, "rows": list(seen.values()), "counts": counts, "statuses": STATUSES,
        "title": name})


# --- charts ----------------------------------------------------------------------------------------

CHART_DEPARTMENTS = 25


async def scorecard_data(db: Any) -> list[tuple[str, dict[str, int]]]:
    organs = await _organs(db)
    rows = await _rows(db, "SELECT s.commitment_id, s.status, j.value AS name FROM commitment_status s, "
                           "json_each(s.departments) j")
    per: dict[str, dict[str, set[str]]] = {}
    for r in rows:
        if not isinstance(r["name"], str):
            continue
        o = organs.get(r["name"]) or organ(r["name"])
        per.setdefault(o, {}).setdefault(r["status"], set()).add(r["commitment_id"])
    out = [(o, {s: len(ids) for s, ids in by.items()}) for o, by in per.items()]
    out.sort(key=lambda x: (-sum(x[1].values()), x[0]))
    return out


def scorecard_svg(data: list[tuple[str, dict[str, int]]], limit: int = CHART_DEPARTMENTS) -> Markup:
    rows = data[:limit]
    if not rows:
        return Markup('<p class="sqzl-none">没有责任单位 · no departments</p>')
    statuses = labels()["statuses"]
    order = [s for s in ("fulfilled", "partially_fulfilled", "in_progress", "overdue", "no_evidence",
                         "not_assessed", "not_verifiable") if s in statuses]
    label_w, bar_w, row_h, top = 190, 560, 24, 8
    most = max(sum(by.values()) for _, by in rows)
    height = top + row_h * len(rows) + 60
    parts = [f'<svg class="sqzl-chart" id="scorecard-chart" role="img" xmlns="http://www.w3.org/2000/svg" '
             f'width="{label_w + bar_w + 60}" height="{height}" viewBox="0 0 {label_w + bar_w + 60} {height}">',
             "<title>责任单位记分卡 · Scorecard by department</title>"]
    for i, (name, by) in enumerate(rows):
        y = top + i * row_h
        href = "/-/department/" + quote(name, safe="")
        parts.append(f'<a href="{html.escape(href)}"><text x="{label_w - 8}" y="{y + 16}" text-anchor="end" '
                     f'class="sqzl-chart-label">{html.escape(name)}</text></a>')
        x = float(label_w)
        for s in order:
            n = by.get(s, 0)
            if not n:
                continue
            w = bar_w * n / most
            zh, en, colour = statuses[s]
            parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{colour}">'
                         f'<title>{html.escape(name)} · {zh} {en}: {n}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 16}" class="sqzl-chart-total">{sum(by.values())}</text>')
    y = top + row_h * len(rows) + 20
    x = 10.0
    for s in order:
        zh, en, colour = statuses[s]
        parts.append(f'<rect x="{x:.0f}" y="{y}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16:.0f}" y="{y + 11}" class="sqzl-chart-legend">{zh}</text>')
        x += 16 + 14 * len(zh) + 18
    parts.append("</svg>")
    return Markup("".join(parts))


async def quarters_data(db: Any) -> list[tuple[str, dict[str, int]]]:
    rows = await _rows(db, "SELECT substr(deadline, 1, 4) AS y, (CAST(substr(deadline, 6, 2) AS INTEGER) + 2) / 3 AS q, "
                           "status, count(*) AS n FROM commitment_status "
                           "WHERE deadline GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*' GROUP BY 1, 2, 3")
    per: dict[str, dict[str, int]] = {}
    for r in rows:
        key = f"{r['y']}Q{r['q']}"
        by = per.setdefault(key, {"due": 0, "fulfilled": 0, "overdue": 0})
        by["due"] += r["n"]
        if r["status"] in ("fulfilled", "partially_fulfilled"):
            by["fulfilled"] += r["n"]
        elif r["status"] == "overdue":
            by["overdue"] += r["n"]
    return sorted(per.items())


def _nice_step(most: int) -> int:
    """A round step for four grid lines that reach at least ``most``."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if step * 4 >= most:
            return step
    return -(-most // 4)


def quarters_svg(data: list[tuple[str, dict[str, int]]]) -> Markup:
    if not data:
        return Markup('<p class="sqzl-none">没有期限 · no deadlines</p>')
    series = [("due", "到期", "#5d6d7e"), ("fulfilled", "已完成（含部分）", "#1b7f3b"), ("overdue", "逾期", "#c0392b")]
    group_w, bar_w, left, plot_h, top = 40, 11, 40, 220, 14
    step = _nice_step(max(by["due"] for _, by in data))
    most = step * 4
    width = max(left + group_w * len(data) + 20, 640)  # room for the legend however few the quarters
    height = top + plot_h + 90
    parts = [f'<svg class="sqzl-chart" id="quarters-chart" role="img" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             "<title>每季度到期、完成、逾期 · Deadlines per quarter: due, fulfilled, overdue</title>"]
    for k in range(5):  # grid
        v = step * k
        y = top + plot_h - plot_h * k / 4
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" class="sqzl-grid"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="sqzl-chart-axis">{v:.0f}</text>')
    for i, (quarter, by) in enumerate(data):
        x0 = left + i * group_w + 4
        for j, (key, zh, colour) in enumerate(series):
            n = by[key]
            h = plot_h * n / most
            parts.append(f'<rect x="{x0 + j * bar_w}" y="{top + plot_h - h:.1f}" width="{bar_w - 1}" height="{h:.1f}" '
                         f'fill="{colour}"><title>{quarter} {zh}: {n}</title></rect>')
        parts.append(f'<text transform="translate({x0 + 16},{top + plot_h + 8}) rotate(60)" '
                     f'class="sqzl-chart-axis">{quarter}</text>')
    y = top + plot_h + 70
    x = left
    for key, zh, colour in series:
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="{y + 11}" class="sqzl-chart-legend">{zh} · {key}</text>')
        x += 16 + 14 * len(zh) + 8 * len(key) + 30
    parts.append("</svg>")
    return Markup("".join(parts))


async def charts_page(request: Any, datasette: Any) -> Response:
    db = _db(datasette)
    score = await scorecard_data(db)
    quarters = await quarters_data(db)
    return await _render(datasette, request, "sqzl_charts.html", {
        "scorecard": scorecard_svg(score), "quarters": quarters_svg(quarters), "n_departments": len(score),
        "shown": min(len(score), CHART_DEPARTMENTS), "score_rows": score, "quarter_rows": quarters,
        "title": "图表 · Charts"})


# --- the verdict form ------------------------------------------------------------------------------

async def verdict_post(request: Any, datasette: Any) -> Response:
    """Check a verdict from the commitment page's form, then run the canned query ``record_verdict``."""
    if request.method != "POST":
        return Response.text("POST only\n", status=405)
    db = _db(datasette)
    if not await _can_verdict(datasette, request):
        raise Forbidden("记录审核意见需以审核人身份登录（可写模式）· log in as the reviewer (writable mode) to record a verdict")
    form = {k: v for k, v in (await request.post_vars()).items() if k in ("commitment_id", "status", "note", "evidence")}
    cid = form.get("commitment_id", "").strip()
    status = form.get("status", "").strip()
    note = form.get("note", "").strip()
    quotes = [q.strip() for q in form.get("evidence", "").splitlines() if q.strip()]
    known = await _rows(db, "SELECT id, retired_at, superseded_by FROM commitments WHERE id = ?", [cid])
    if not known:
        return await _render(datasette, request, "sqzl_error.html", {
            "title": "未记录 · Not recorded",
            "message": f"未知承诺编号 {cid!r}：未记录任何内容 · unknown commitment id {cid!r}: nothing was recorded"},
            status=400)
    error = None
    if status not in STATUSES:
        error = (f"未知状态 {status!r}：应为 {'、'.join(status_zh(s) for s in STATUSES)} 之一 · unknown status {status!r}; "
                 f"one of {', '.join(STATUSES)}. 未记录 · nothing was recorded")
    elif not note:
        error = "请填写审核说明 · a verdict needs a note giving your reasons. 未记录 · nothing was recorded"
    elif known[0]["retired_at"]:
        error = (f"该承诺已停用，请在替代承诺 {known[0]['superseded_by'] or '（无）'} 上记录 · this commitment is retired; "
                 "record the verdict on the one that supersedes it")
    else:
        for q in quotes:
            hit = await _rows(db, "SELECT id FROM documents WHERE instr(text, ?) > 0 LIMIT 1", [q])
            if not hit:
                error = (f"证据引文未在任何文件中逐字找到 · evidence quote not found verbatim in any document: {q[:40]!r}. "
                         "未记录 · nothing was recorded")
                break
    if error is None:
        query = await datasette.get_canned_query(db.name, VERDICT_QUERY, request.actor)
        full_note = note + "".join(QUOTE_LINE.format(q) for q in quotes)
        try:
            cursor = await db.execute_write(query["sql"], {"commitment_id": cid, "status": status, "note": full_note,
                                                           "_actor_id": request.actor.get("id")})
            if cursor.rowcount != 1:
                error = "未记录 · nothing was recorded"
        except Exception as e:  # noqa: BLE001 - the database's refusal (a retired commitment), shown as it is
            error = str(e)
    if error is not None:
        return await _commitment_page(request, datasette, cid=cid, form=form, error=error)
    datasette.add_message(request, f"已记录审核意见：{status_zh(status)} · verdict recorded: {status}", datasette.INFO)
    return Response.redirect(f"/-/commitment/{quote(cid, safe='')}#history", status=303)


# --- Datasette hooks -------------------------------------------------------------------------------

CSS_PATH = "/-/sqzl.css"


async def css(request: Any, datasette: Any) -> Response:
    text = resources.files("sqzl_docs.tracker").joinpath("datasette/templates/sqzl.css").read_text(encoding="utf-8")
    return Response(text, content_type="text/css; charset=utf-8")


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    return [
        (r"^/-/sqzl\.css$", css),
        (r"^/-/commitment/(?P<id>[^/]+)$", commitment_page),
        (r"^/-/document/(?P<id>[^/]+)$", document_page),
        (r"^/-/department/(?P<name>[^/]+)$", department_page),
        (r"^/-/search$", search_page),
        (r"^/-/charts$", charts_page),
        (r"^/-/verdict$", verdict_post),
    ]


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [CSS_PATH]


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    return [{"href": "/-/search", "label": "中文检索 · Search"}, {"href": "/-/charts", "label": "图表 · Charts"}]


@hookimpl
def extra_template_vars(datasette: Any) -> dict[str, Any]:
    return {"sqzl_column_label": column_label, "sqzl_status_zh": status_zh}


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    if column in ("status", "machine_status", "reviewer_status") and value in labels()["statuses"]:
        return status_label(value)
    if column == "commitment_id" and isinstance(value, str) and value:
        return Markup('<a class="sqzl-id" href="/-/commitment/{}" title="{}">{}</a>').format(
            quote(value, safe=""), value, value[:10])
    if column == "document_id" and isinstance(value, str) and value:
        return Markup('<a class="sqzl-id" href="/-/document/{}" title="{}">{}</a>').format(
            quote(value, safe=""), value, value[:10])
    if column in ("departments",) and isinstance(value, str) and value.startswith("["):
        return dept_links([d for d in _json_list(value) if isinstance(d, str)])
    if column == "department" and isinstance(value, str) and value and table is None:
        return Markup('<a href="/-/department/{}">{}</a>').format(quote(value, safe=""), value)
    keys = row.keys() if hasattr(row, "keys") else []
    if table == "commitments" and column == "text" and isinstance(value, str) and "id" in keys:
        return Markup('<a href="/-/commitment/{}">{}</a>').format(quote(str(row["id"]), safe=""), _short(value))
    if table == "documents" and column == "title" and isinstance(value, str) and "id" in keys:
        return Markup('<a href="/-/document/{}">{}</a>').format(quote(str(row["id"]), safe=""), value)
    if column == "commitment" and isinstance(value, str) and "commitment_id" in keys:
        return Markup('<a href="/-/commitment/{}">{}</a>').format(quote(str(row["commitment_id"]), safe=""), value)
    if column in ("rationale", "reasons") and isinstance(value, str):
        items = _json_list(value) if value.startswith("[") else [value]
        out = []
        for item in items:
            if isinstance(item, str):
                zh = rationale_zh(item)
                out.append(Markup("{}<br><small lang=\"en\">{}</small>").format(zh, item) if zh else escape(item))
        return Markup("<br>").join(out) if out else None
    if column == "sha256" and isinstance(value, str) and len(value) > 16:
        return Markup('<span class="sqzl-id" title="{}">{}…</span>').format(value, value[:12])
    if column in LONG_COLUMNS and isinstance(value, str) and len(value) > TRUNCATE:
        return Markup('<span title="{}…">{}</span>').format(value[:400], _short(value))
    return None


def _short(value: str) -> str:
    return value if len(value) <= TRUNCATE else value[:TRUNCATE] + "…"
