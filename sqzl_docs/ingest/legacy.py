"""Old binary Word files (.doc, Word 97–2003, an OLE compound document): read through LibreOffice
when it is on the machine (``soffice --headless --convert-to docx``), else refused with a record
that says what the file is and how to convert it.

This is an optional path: sqzl needs nothing of LibreOffice otherwise, and never downloads it.
``SQZL_SOFFICE`` names the program when it is not ``soffice`` or ``libreoffice`` on the PATH;
``SQZL_SOFFICE=none`` switches the conversion off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import IngestError
from ..limits import DEFAULT, Limits
from . import Reading

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def converter() -> str | None:
    """The LibreOffice program to convert with, or None."""
    named = os.environ.get("SQZL_SOFFICE")
    if named:
        return None if named.lower() == "none" else shutil.which(named)
    return shutil.which("soffice") or shutil.which("libreoffice")


def refusal(source: str) -> IngestError:
    return IngestError(
        f"{source}: an old binary Word file (.doc, Word 97–2003), which sqzl reads only through LibreOffice, "
        "and LibreOffice is not on this machine. Convert it to .docx: `libreoffice --headless --convert-to docx "
        f"--outdir OUT {Path(source).name}` (or save it as .docx in Word/WPS), or install LibreOffice "
        "(Debian: apt-get install libreoffice-writer) and sqzl converts .doc files itself.",
        code="ingest.legacy_format")


def read(data: bytes, *, source: str, limits: Limits = DEFAULT) -> Reading:
    program = converter()
    if program is None:
        raise refusal(source)
    from . import docx

    with tempfile.TemporaryDirectory(prefix="sqzl-doc-") as tmp:
        original = Path(tmp) / "in.doc"
        original.write_bytes(data)
        try:
            subprocess.run([program, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
                            "--convert-to", "docx", "--outdir", tmp, str(original)],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=limits.seconds or None, check=False)
        except subprocess.TimeoutExpired:
            raise IngestError(f"{source}: LibreOffice took longer than {limits.seconds:g} s to convert the .doc",
                              code="ingest.timeout") from None
        converted = Path(tmp) / "in.docx"
        if not converted.is_file():
            raise IngestError(f"{source}: LibreOffice could not convert this .doc file (damaged, or not a Word "
                              "document)", code="ingest.legacy_format")
        reading = docx.read(converted.read_bytes(), source=source, limits=limits)
    reading.warnings.append(f"{source}: read from a .doc file converted by LibreOffice ({program})")
    return reading
