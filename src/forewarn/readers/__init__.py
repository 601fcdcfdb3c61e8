"""Readers turn a file's bytes into a Document, choosing the format by content, not extension."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from forewarn.document import Document
from forewarn.errors import InputError, UnsupportedFormat
from forewarn.language import annotate_language
from forewarn.limits import Deadline, Limits
from forewarn.readers.ao3 import is_ao3_html, read_ao3_html
from forewarn.readers.epub import read_epub
from forewarn.readers.files import read_file
from forewarn.readers.html import html_document, parse_html
from forewarn.readers.markdown import read_markdown
from forewarn.readers.text import read_text

#: File extensions a folder scan picks up.
SUPPORTED_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".epub"}


#: A reader: the bytes of a story in its format, named ``source``, read within ``limits`` and
#: ``deadline``.
Reader = Callable[[bytes, str, Limits, Deadline], Document]


def _html(data: bytes, source: str, limits: Limits, deadline: Deadline) -> Document:
    """An HTML story; AO3 downloads are recognised and their metadata parsed."""
    root = parse_html(data, source)
    return (
        read_ao3_html(root, source) if is_ao3_html(root) else html_document(root, source, deadline)
    )


#: The reader of each format ``sniff`` names.
READERS: dict[str, Reader] = {
    "epub": read_epub,
    "html": _html,
    "markdown": lambda data, source, limits, deadline: read_markdown(data, source, deadline),
    "text": lambda data, source, limits, deadline: read_text(data, source),
}


def sniff(data: bytes, name: str = "") -> str:
    """The format of ``data``: "epub", "html", "markdown" or "text"; raises on unsupported ones."""
    head = data[:4096]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "epub"
    if Path(name).suffix.lower() == ".epub":
        return "epub"  # a damaged EPUB gets the EPUB reader's diagnosis, not "binary file"
    for magic, kind in _BINARY_MAGIC:
        if head.startswith(magic):
            raise UnsupportedFormat(
                name, f"unsupported format ({kind}); forewarn reads text, Markdown, HTML and EPUB"
            )
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if _looks_like_html(lowered):
        return "html"
    suffix = Path(name).suffix.lower()
    if suffix in {".md", ".markdown"}:
        return "markdown"
    if suffix in {".html", ".htm", ".xhtml"} and b"<" in lowered:
        return "html"
    return "text"


_BINARY_MAGIC = [
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "MS Office document"),
    (b"{\\rtf", "RTF document"),
    (b"BOOKMOBI", "MOBI ebook"),
]


def _looks_like_html(head: bytes) -> bool:
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in head:
        return True
    return head.startswith((b"<!doctype html", b"<html", b"<body", b"<head"))


def read_bytes(data: bytes, source: str, limits: Limits | None = None) -> Document:
    """Parse a story from raw bytes; ``source`` names it in errors and reports."""
    limits = limits or Limits.from_env()
    deadline = Deadline.start(source, limits)
    if len(data) > limits.max_input_bytes:
        raise InputError(
            source,
            f"file is too large ({len(data) / 2**20:.1f} MB; the limit is "
            f"{limits.max_input_bytes / 2**20:.0f} MB)",
        )
    if not data.strip():
        raise InputError(source, "empty file")
    doc = READERS[sniff(data, source)](data, source, limits, deadline)
    if not doc.text.strip():
        raise InputError(source, "no readable text in the file")
    doc.sha256 = hashlib.sha256(data).hexdigest()
    doc.deadline = deadline
    deadline.check()
    annotate_language(doc)
    return doc


def read_path(path: str | os.PathLike[str], limits: Limits | None = None) -> Document:
    """Read a story file (or ``-`` for standard input)."""
    limits = limits or Limits.from_env()
    name = str(path)
    if name == "-":
        return read_stream(sys.stdin.buffer, "<stdin>", limits)
    return read_bytes(read_file(path, limits), name, limits)


def read_stream(stream: IO[bytes] | IO[str], source: str, limits: Limits | None = None) -> Document:
    """Read a story from a binary or text file object, up to the input size limit."""
    limits = limits or Limits.from_env()
    chunk = stream.read(limits.max_input_bytes + 1)
    data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
    return read_bytes(data, source, limits)


def expand_paths(paths: list[str]) -> list[str]:
    """Folders become the supported files inside them (recursively); other paths stay."""
    out: list[str] = []
    for p in paths:
        if p != "-" and Path(p).is_dir():
            out.extend(str(f) for f in iter_story_files(Path(p)))
        else:
            out.append(p)
    return out


def iter_story_files(folder: Path) -> Iterator[Path]:
    """Every supported file under ``folder``, recursively, in a stable order."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path
