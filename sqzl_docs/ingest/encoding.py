"""Text encoding detection for Chinese government files (UTF-8 ± BOM, GB18030/GBK/GB2312, Big5)."""

from __future__ import annotations

import codecs

import charset_normalizer

from ..errors import IngestError

_CHINESE = ("gb18030", "big5")


def decode(data: bytes, *, source: str) -> tuple[str, str]:
    """Decode ``data``; return the text (universal newlines) and the encoding detected."""
    text, encoding = _decode(data, source=source)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if encoding != "utf-8" and _plausible_share(text) < 0.7:
        raise IngestError(f"{source}: decoded as {encoding} the text is mostly characters Chinese documents "
                          "do not use: not text in a known encoding", code="ingest.undecodable")
    if text and _control_share(text) > 0.05:
        raise IngestError(f"{source}: decoded as {encoding} but {_control_share(text):.0%} of it is control "
                          "characters: binary data, not text", code="ingest.binary")
    return text, encoding


def _decode(data: bytes, *, source: str) -> tuple[str, str]:
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise IngestError(f"{source}: NUL bytes in the file: binary data, not text", code="ingest.binary")
    candidates = [enc for enc in _CHINESE if _decodes(data, enc)]
    if len(candidates) == 1:
        return data.decode(candidates[0]), candidates[0]
    if candidates:
        best = charset_normalizer.from_bytes(data, cp_isolation=candidates).best()
        name = canonical_encoding(best.encoding) if best is not None else candidates[0]
        return data.decode(name), name
    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.chaos < 0.2:
        return str(best), canonical_encoding(best.encoding)
    raise IngestError(f"{source}: the bytes are not valid UTF-8, GB18030 or Big5 text",
                      code="ingest.undecodable")


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def canonical_encoding(name: str) -> str:
    """One name per encoding family: GBK and GB2312 are read as GB18030, CP950 as Big5."""
    name = name.lower().replace("_", "-")
    return {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "cp950": "big5"}.get(name, name)


def _control_share(text: str) -> float:
    sample = text[:20000]
    bad = sum(1 for c in sample if (c < " " and c not in "\n\t\f\v") or c == "\ufffd")
    return bad / max(1, len(sample))


def _plausible(c: str) -> bool:
    o = ord(c)
    return (0x20 <= o < 0x7F or c in "\n\t" or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F or 0x3400 <= o <= 0x4DBF or 0xA0 <= o <= 0xFF
            or 0x2460 <= o <= 0x24FF or 0x25A0 <= o <= 0x25FF)


def _plausible_share(text: str) -> float:
    """Share of characters a Chinese or English document plausibly holds (CJK, ASCII, punctuation)."""
    sample = text[:20000]
    return sum(1 for c in sample if _plausible(c)) / max(1, len(sample))
