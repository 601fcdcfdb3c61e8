"""The hostile input shapes of issue 15, at any size: small files that once held gigabytes or
outlasted the time limit. Shared by the hostile suite (tests/test_hostile_inputs.py), which
asserts bounds on them, and benchmarks/hostile.py, which measures them at 2 MB and 16 MB.

``SHAPES`` names each shape with its file suffix and a writer ``(path, size)``: ``size`` is the
bytes the readers parse (an EPUB's pages decompressed; the file itself is much smaller).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.test_readers_epub import make_epub, opf, page

#: The shape of the issue's reproduction: one table of 5,000 one-letter columns.
TABLE_COLUMNS = 5000
TINY = b"<p>a</p>"
PROSE = "<p>She walked home in the rain and thought of nothing.</p>"
#: How deep the attack's EPUB nested its prose in ``<div>``s.
DEPTH = 248
#: Decompressed bytes per page of the generated EPUBs of tiny elements.
PAGE_BYTES = 256 * 1024


def table(size: int) -> bytes:
    """One table of 5,000 one-letter columns: a cell every two bytes."""
    row = b"|x" * TABLE_COLUMNS + b"|\n"
    header = b"|a" * TABLE_COLUMNS + b"|\n" + b"|-" * TABLE_COLUMNS + b"|\n"
    return header + row * (size // len(row))


#: Markdown that markdown-it turned into a token per byte, and a fragment of its text.
MARKDOWN_SHAPES: dict[str, tuple[Callable[[int], bytes], str]] = {
    "table": (table, "|x|x|x|"),
    "one-letter-lines": (lambda size: b"a\n" * (size // 2), "a\na\na"),
    "one-long-line": (lambda size: b"*a* " * (size // 4), "*a* *a*"),
    "deep-quotes": (lambda size: b"> " * (size // 2) + b"deep text\n", "deep text"),
}


def tiny_elements_html(size: int) -> bytes:
    """An HTML page of ``<p>a</p>``: libxml2 holds two nodes per eight bytes."""
    return b"<html><body>" + TINY * (size // len(TINY)) + b"</body></html>"


def _epub(path: Path, bodies: list[str]) -> Path:
    names = [f"c{i}.xhtml" for i in range(len(bodies))]
    pages = {f"OEBPS/{n}": page("T", body) for n, body in zip(names, bodies, strict=True)}
    return make_epub(path, {"OEBPS/content.opf": opf(names)} | pages)


def tiny_elements_epub(path: Path, size: int) -> Path:
    """An EPUB whose pages (``PAGE_BYTES`` each, decompressed) are all ``<p>a</p>``."""
    pages = max(1, size // PAGE_BYTES)
    body = (TINY * (size // pages // len(TINY))).decode()
    return _epub(path, [body] * pages)


def deep_nesting_epub(path: Path, size: int, pages: int = 20) -> Path:
    """An EPUB of ``pages`` spine items, each its prose inside ``DEPTH`` nested ``<div>``s (the
    attack's: 20 items, 606 KB, held a worker for more than 15 minutes)."""
    prose = PROSE * max(1, size // pages // len(PROSE))
    return _epub(path, ["<div>" * DEPTH + prose + "</div>" * DEPTH] * pages)


def _bytes(make: Callable[[int], bytes]) -> Callable[[Path, int], object]:
    return lambda path, size: path.write_bytes(make(size))


@dataclass(frozen=True)
class Shape:
    """A hostile input: its file suffix and a writer of ``size`` parsed bytes to a path."""

    suffix: str
    write: Callable[[Path, int], object]


#: Every shape, by name.
SHAPES: dict[str, Shape] = {
    **{
        f"Markdown {name}": Shape(".md", _bytes(make))
        for name, (make, _) in MARKDOWN_SHAPES.items()
    },
    "text line without spaces": Shape(".txt", _bytes(lambda size: b"a" * size)),
    "HTML tiny elements": Shape(".html", _bytes(tiny_elements_html)),
    "EPUB tiny elements": Shape(".epub", tiny_elements_epub),
    "EPUB deep nesting": Shape(".epub", deep_nesting_epub),
}
