"""Readers turn a file's bytes into a Document, choosing the format by content, not extension."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from forewarn.document import Document
from forewarn.errors import InputError, UnsupportedFormat
from forewarn.heap import release_freed_memory
from forewarn.language import annotate_language
from forewarn.limits import Deadline, Limits
from forewarn.readers.files import read_file
from forewarn.readers.text import read_text

#: A reader: the bytes of a story in its format, named ``source``, read within ``limits`` and
#: ``deadline``.
Reader = Callable[[bytes, str, Limits, Deadline], Document]


@dataclass(frozen=True)
class Sample:
    """What ``sniff`` looks at: the first 4 KiB of a file and the suffix of its name."""

    head: bytes  #: the first 4096 bytes, as they are
    text: bytes  #: ``head`` without a leading BOM and whitespace, lowercased
    suffix: str  #: the name's suffix, lowercased (".epub"; "" without one)

    @classmethod
    def of(cls, data: bytes, name: str) -> Sample:
        head = data[:4096]
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        return cls(head, text, Path(name).suffix.lower())


def _never(sample: Sample) -> bool:
    return False


def _always(sample: Sample) -> bool:
    return True


@dataclass(frozen=True)
class Format:
    """A registered reader and how ``sniff`` recognises its input: by its content (magic bytes,
    markup), or by a name with one of its ``suffixes`` whose content meets ``if_named``.

    ``sniff`` asks, in this order: a ``container`` format (a binary archive) by its content or
    its name alone, before any unsupported format's magic bytes (a damaged EPUB gets the EPUB
    reader's diagnosis, not "binary file"); then every other format by its content; then by its
    name; a story none of them claims is plain text. Calling a ``Format`` reads with it."""

    read: Reader
    suffixes: frozenset[str] = frozenset()  #: also the files a folder scan picks up
    by_content: Callable[[Sample], bool] = _never
    if_named: Callable[[Sample], bool] = _always
    container: bool = False

    def __call__(self, data: bytes, source: str, limits: Limits, deadline: Deadline) -> Document:
        return self.read(data, source, limits, deadline)

    def by_name(self, sample: Sample) -> bool:
        return sample.suffix in self.suffixes and self.if_named(sample)


def _epub(sample: Sample) -> bool:
    return sample.head.startswith((b"PK\x03\x04", b"PK\x05\x06"))


# The markup readers are imported when a story needs them: lxml, defusedxml and markdown-it
# take a tenth of a second to load, which a scan of plain text need not pay.


def _epub_reader(data: bytes, source: str, limits: Limits, deadline: Deadline) -> Document:
    """An EPUB story (``epub.read_epub``)."""
    from forewarn.readers.epub import read_epub

    return read_epub(data, source, limits, deadline)


def _html(data: bytes, source: str, limits: Limits, deadline: Deadline) -> Document:
    """An HTML story, read as it is parsed (``html_stream``) unless it needs its tree: AO3
    downloads are recognised and their metadata parsed."""
    from forewarn.readers.html_stream import NeedsTree, stream_blocks

    try:
        builder, metadata = stream_blocks(data, deadline)
    except NeedsTree:
        return _html_tree(data, source, deadline)
    return builder.build(metadata, source)


def _html_tree(data: bytes, source: str, deadline: Deadline) -> Document:
    """An HTML story read from its whole tree (AO3 downloads: their metadata parsed)."""
    from forewarn.readers.ao3 import is_ao3_html, read_ao3_html
    from forewarn.readers.html import html_blocks, parse_html

    root = parse_html(data, source)
    if is_ao3_html(root):
        return read_ao3_html(root, source)
    builder, metadata = html_blocks(root, deadline)
    del root  # the tree is spent (two libxml2 nodes per tiny element): free it before the build
    return builder.build(metadata, source)


def _looks_like_html(sample: Sample) -> bool:
    head = sample.text
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in head:
        return True
    return head.startswith((b"<!doctype html", b"<html", b"<body", b"<head"))


def _has_markup(sample: Sample) -> bool:
    return b"<" in sample.text


def _markdown(data: bytes, source: str, limits: Limits, deadline: Deadline) -> Document:
    from forewarn.readers.markdown import read_markdown

    return read_markdown(data, source, deadline)


def _text(data: bytes, source: str, limits: Limits, deadline: Deadline) -> Document:
    return read_text(data, source)


#: The format a story none of the registered formats claims is read as.
FALLBACK = "text"

#: The reader of each format ``sniff`` names, with how it recognises its input.
READERS: dict[str, Format] = {
    "epub": Format(_epub_reader, frozenset({".epub"}), by_content=_epub, container=True),
    "html": Format(
        _html,
        frozenset({".html", ".htm", ".xhtml"}),
        by_content=_looks_like_html,
        if_named=_has_markup,
    ),
    "markdown": Format(_markdown, frozenset({".md", ".markdown"})),
    FALLBACK: Format(_text, frozenset({".txt", ".text"})),
}

#: File extensions a folder scan picks up.
SUPPORTED_SUFFIXES: frozenset[str] = frozenset().union(*(fmt.suffixes for fmt in READERS.values()))

#: Formats forewarn recognises by their first bytes and does not read.
UNSUPPORTED = [
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


def sniff(data: bytes, name: str = "") -> str:
    """The name of the format in ``READERS`` that reads ``data`` (named ``name``), by content
    first; raises ``UnsupportedFormat`` on a format forewarn recognises and does not read."""
    sample = Sample.of(data, name)
    containers = [(n, f) for n, f in READERS.items() if f.container]
    others = [(n, f) for n, f in READERS.items() if not f.container]
    for fmt_name, fmt in containers:
        if fmt.by_content(sample) or fmt.by_name(sample):
            return fmt_name
    for magic, kind in UNSUPPORTED:
        if sample.head.startswith(magic):
            raise UnsupportedFormat(
                name, f"unsupported format ({kind}); forewarn reads text, Markdown, HTML and EPUB"
            )
    for fmt_name, fmt in others:
        if fmt.by_content(sample):
            return fmt_name
    for fmt_name, fmt in others:
        if fmt.by_name(sample):
            return fmt_name
    return FALLBACK


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
    # glibc kept the parse's freed nodes (libxml2's two per tiny element) while the scan maps
    # its large arrays afresh: 16 MB of tiny elements, 1,069 MB peak RSS; 845 MB with this.
    release_freed_memory()
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
