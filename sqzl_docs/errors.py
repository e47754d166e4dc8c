"""Typed errors and their stable codes.

The single-document API (:func:`sqzl_docs.parse`) raises these; batch runs turn them into
:class:`~sqzl_docs.models.Problem` records, so one bad file never stops a batch.
"""

from __future__ import annotations

from . import exitcodes

# code → one-line meaning. Codes are stable strings, ``stage.reason``.
CODES: dict[str, str] = {
    "ingest.not_found": "the path does not exist or cannot be read",
    "ingest.empty": "the file is empty or holds only whitespace",
    "ingest.too_large": "the file is over a configured size limit (bytes, PDF pages, zip entries or unzipped size)",
    "ingest.too_long": "the document's text is longer than the configured limit of characters",
    "ingest.too_deep": "the HTML page nests elements deeper than the configured limit",
    "ingest.timeout": "reading the file took longer than the configured time per document",
    "ingest.binary": "the file is binary data, not a document in a supported format",
    "ingest.undecodable": "the text could not be decoded in any encoding Chinese sites use",
    "ingest.unsupported": "the file type is not one of .txt, .html, .htm, .pdf, .docx, .jsonl",
    "ingest.corrupt_pdf": "the PDF is damaged or not a PDF",
    "ingest.encrypted_pdf": "the PDF is encrypted and needs a password",
    "ingest.no_text_layer": "the PDF has no text layer (a scan); OCR is needed",
    "ingest.corrupt_docx": "the DOCX is damaged or not a DOCX",
    "ingest.bad_jsonl": "a JSON Lines record is not a JSON object with a text field",
    "ingest.unreadable": "a folder or link inside a folder cannot be read (permission denied, a symbolic link loop)",
    "ingest.not_regular": "a FIFO, socket or device inside a folder: not read, since reading it could block",
    "ingest.is_directory": "a folder was given where one file was expected (sqzl_docs.parse)",
    "ingest.legacy_format": "an old binary Office file (.doc): convert it to .docx, or install LibreOffice",
    "ingest.warning": "the document was read, with a caveat (no main content found, mostly scanned pages)",
    "ingest.no_documents": "a directory or glob named on the command line holds no documents",
    "ingest.failed": "reading failed for an unexpected reason",
    "ingest.memory": "reading the file needed more memory than the configured limit per document",
    "structure.failed": "finding the document structure failed for an unexpected reason",
    "structure.timeout": "finding the structure took longer than the configured time per document",
    "structure.memory": "finding the structure needed more memory than the configured limit per document",
    "extract.failed": "an extractor failed for an unexpected reason",
    "extract.timeout": "extraction took longer than the configured time per document",
    "extract.memory": "extraction needed more memory than the configured limit per document",
    "track.not_a_tracker": "the file is not a tracker database (another application's file, or not SQLite)",
    "track.needs_migration": "the tracker database is of an older schema version; `sqzl track migrate` updates it",
    "track.damaged": "the tracker database is damaged (PRAGMA quick_check fails)",
    "track.cannot_write": "the tracker database cannot be written (read-only file or directory, disk full)",
    "track.forged_record": "a record's doc_id or sha256 does not match its text, or a span does not quote the text",
    "track.text_changed": "a record's text differs from the stored document with the same doc_id",
}


class SqzlError(Exception):
    """Base of all errors raised on purpose by sqzl_docs."""

    code = "ingest.failed"

    def __init__(self, reason: str, *, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        if code is not None:
            self.code = code
        assert self.code in CODES, self.code

    @property
    def stage(self) -> str:
        return self.code.split(".", 1)[0]


class IngestError(SqzlError):
    """A file could not be read into a document."""


class TrackerError(SqzlError):
    """The tracker database cannot be used as asked; ``exit_code`` says why (:mod:`sqzl_docs.exitcodes`)."""

    code = "track.not_a_tracker"
    exit_code = exitcodes.USAGE


class NotATracker(TrackerError):
    """Another application's file, or not SQLite at all: never migrated, never written."""

    code = "track.not_a_tracker"
    exit_code = exitcodes.USAGE


class NeedsMigration(TrackerError):
    """A tracker of an older schema version, opened by a command that only reads."""

    code = "track.needs_migration"
    exit_code = exitcodes.USAGE


class DamagedDatabase(TrackerError):
    """``PRAGMA quick_check`` found damage; nothing is written to such a file."""

    code = "track.damaged"
    exit_code = exitcodes.DAMAGED


class CannotWrite(TrackerError):
    """The database (or its directory) is read-only, or the disk is full."""

    code = "track.cannot_write"
    exit_code = exitcodes.CANNOT_WRITE


class RecordRefused(SqzlError):
    """A record ``sqzl track add`` will not store: its ids do not match its text (``track.forged_record``),
    or its text differs from the stored document with the same id (``track.text_changed``)."""

    code = "track.forged_record"
