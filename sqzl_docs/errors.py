"""Typed errors and their stable codes.

The single-document API (:func:`sqzl_docs.parse`) raises these; batch runs turn them into
:class:`~sqzl_docs.models.Problem` records, so one bad file never stops a batch.
"""

from __future__ import annotations

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
    "ingest.no_documents": "a directory or glob named on the command line holds no documents",
    "ingest.failed": "reading failed for an unexpected reason",
    "ingest.memory": "reading the file needed more memory than the configured limit per document",
    "structure.failed": "finding the document structure failed for an unexpected reason",
    "structure.timeout": "finding the structure took longer than the configured time per document",
    "structure.memory": "finding the structure needed more memory than the configured limit per document",
    "extract.failed": "an extractor failed for an unexpected reason",
    "extract.timeout": "extraction took longer than the configured time per document",
    "extract.memory": "extraction needed more memory than the configured limit per document",
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
