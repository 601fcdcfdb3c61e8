"""Fuzz targets: each takes the fuzzer's bytes and fails on anything but a documented InputError.

A target also checks the Document/Report invariants in :mod:`fuzz.checks`, so a wrong offset
is a finding too. ``TARGETS`` maps names to targets, ``seeds(name)`` gives starting inputs
built from ``tests/fixtures`` and ``examples/``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import atheris
from rich.console import Console

from forewarn.errors import InputError
from forewarn.limits import MB, Limits
from forewarn.readers import read_bytes
from forewarn.render.terminal import print_report
from forewarn.scanner import scan_text
from fuzz.checks import check_document, check_report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
#: Small caps so that one input stays cheap; the time cap is left to libFuzzer's -timeout.
LIMITS = Limits(
    max_input_bytes=1 * MB, max_decompressed_bytes=4 * MB, max_archive_members=200, max_seconds=60
)


def _read(data: bytes, name: str) -> None:
    try:
        doc = read_bytes(data, name, LIMITS)
    except InputError:
        return
    check_document(doc)


def fuzz_text(data: bytes) -> None:
    """Plain text (and whatever the sniffer routes a ``.txt`` file to)."""
    _read(data, "fuzz.txt")


def fuzz_markdown(data: bytes) -> None:
    _read(data, "fuzz.md")


def fuzz_html(data: bytes) -> None:
    _read(data, "fuzz.html")


# -- AO3: fuzzed pieces poured into the download template's slots -----------------------------
AO3_TEMPLATE = (
    "<html><head><title>{0}</title></head><body>"
    '<div id="preface"><h2 class="toc-heading">{1}</h2><div class="meta"><dl class="tags">'
    "<dt>Rating:</dt><dd>{2}</dd><dt>{3}</dt><dd><a>{4}</a>, <a>{5}</a></dd></dl>"
    '<p class="message"><b>{6}</b></p><div class="byline">by <a rel="author">{7}</a></div>'
    "<p>Summary</p><blockquote>{8}</blockquote><p>{9}</p><blockquote>{10}</blockquote></div>"
    '</div><div id="chapters"><div class="meta group"><h2>{11}</h2><p>Chapter Summary</p>'
    '<blockquote>{12}</blockquote></div><div class="userstuff">{13}</div>{14}</div>'
    '<div id="afterword"><p>{15}</p><blockquote>{16}</blockquote></div></body></html>'
)
AO3_SLOTS = 17


def ao3_document(data: bytes) -> bytes:
    """A full AO3 download as-is, else an AO3 page whose slots hold ``data``'s |-parts."""
    if b'id="preface"' in data:
        return data
    parts = data.decode("utf-8", "replace").split("|")
    parts += [""] * (AO3_SLOTS - len(parts))
    head, rest = parts[: AO3_SLOTS - 1], "|".join(parts[AO3_SLOTS - 1 :])
    return AO3_TEMPLATE.format(*head, rest).encode("utf-8")


def fuzz_ao3(data: bytes) -> None:
    """AO3 HTML downloads: preface tags, notes, chapter metadata and text."""
    _read(ao3_document(data), "fuzz.html")


# -- EPUB: a real fixture book with fuzzed members ---------------------------------------------
#: Snippets that stress the XML, path and markup handling when spliced into a member.
EPUB_SNIPPETS = [
    b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    b"&e;",
    b'<itemref idref="missing"/>',
    b'<item id="x" href="../../etc/passwd" media-type="application/xhtml+xml"/>',
    b'<item id="n" href="nav.xhtml" properties="nav" media-type="application/xhtml+xml"/>',
    b'<reference type="cover" href="',
    b'<rootfile full-path="',
    b'<navPoint><navLabel><text>T</text></navLabel><content src="#f"/></navPoint>',
    b'<nav epub:type="toc"><ol><li><a href="x.xhtml#a">A</a></li></ol></nav>',
    b"<h1>Chapter</h1><p>He tried to kill himself.</p>",
    b"<div><div><div><p>deep</p></div></div></div>",
    b'<section epub:type="titlepage">',
    b"*** START OF THE PROJECT GUTENBERG EBOOK ***",
    b'<body class="fff_titlepage"><b>Rating:</b> Mature<br/>',
    b'<div id="preface"><dl class="tags"><dt>Rating:</dt><dd>T</dd></dl></div>',
    b'<?xml version="1.0" encoding="utf-16"?>',
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
    b"%2F..%2F",
    b'linear="no"',
]


@cache
def fixture_books() -> list[list[tuple[str, bytes]]]:
    """The members of every fixture EPUB, in archive order."""
    books = []
    for path in sorted(FIXTURES.glob("*.epub")):
        with zipfile.ZipFile(path) as zf:
            books.append([(i.filename, zf.read(i)) for i in zf.infolist()])
    return books


def _mutate_member(fdp: atheris.FuzzedDataProvider, content: bytes) -> bytes:
    op = fdp.ConsumeIntInRange(0, 4)
    at = fdp.ConsumeIntInRange(0, len(content))
    if op == 0:
        return fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 4096))
    if op == 1:
        return content[:at] + fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 256)) + content[at:]
    if op == 2:
        return content[:at] + content[at + fdp.ConsumeIntInRange(0, 512) :]
    if op == 3:
        snippet = EPUB_SNIPPETS[fdp.ConsumeIntInRange(0, len(EPUB_SNIPPETS) - 1)]
        return content[:at] + snippet + content[at:]
    times = fdp.ConsumeIntInRange(2, 8)  # a bigger member, but never a harness-made bomb
    return content * times if len(content) * times <= 256 * 1024 else content


def epub_document(data: bytes) -> bytes:
    """A fixture EPUB (chosen by ``data``) rebuilt with 1-6 fuzzed edits to its members."""
    fdp = atheris.FuzzedDataProvider(data)
    books = fixture_books()
    members = list(books[fdp.ConsumeIntInRange(0, len(books) - 1)])
    for _ in range(fdp.ConsumeIntInRange(1, 6)):
        if not members:
            break
        i = fdp.ConsumeIntInRange(0, len(members) - 1)
        name, content = members[i]
        action = fdp.ConsumeIntInRange(0, 9)
        if action <= 5:
            members[i] = (name, _mutate_member(fdp, content))
        elif action == 6:
            del members[i]
        elif action == 7:
            members[i] = (fdp.ConsumeUnicodeNoSurrogates(40) or name, content)
        elif action == 8:
            members.append((fdp.ConsumeUnicodeNoSurrogates(40) or "x", content))
        else:
            j = fdp.ConsumeIntInRange(0, len(members) - 1)
            members[i], members[j] = members[j], members[i]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content in members:
            method = zipfile.ZIP_DEFLATED if fdp.ConsumeBool() else zipfile.ZIP_STORED
            zf.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), content, method)
    raw = bytearray(out.getvalue())
    for _ in range(fdp.ConsumeIntInRange(0, 2)):  # occasionally damage the archive itself
        if raw:
            raw[fdp.ConsumeIntInRange(0, len(raw) - 1)] = fdp.ConsumeInt(1) & 0xFF
    return bytes(raw)


def fuzz_epub(data: bytes) -> None:
    """EPUB 2/3, AO3, FanFicFare and Gutenberg books with damaged or hostile members."""
    try:
        book = epub_document(data)
    except (ValueError, UnicodeEncodeError):  # a member name zipfile itself refuses
        return
    _read(book, "fuzz.epub")


# -- scanning arbitrary text -------------------------------------------------------------------
def fuzz_scan(data: bytes) -> None:
    """``forewarn.scan_text`` on any string, then the report's JSON and terminal renderings."""
    fdp = atheris.FuzzedDataProvider(data)
    if fdp.ConsumeBool():
        text = fdp.ConsumeUnicode(fdp.remaining_bytes())
    else:
        text = fdp.ConsumeBytes(fdp.remaining_bytes()).decode("utf-8", "replace")
    try:
        report = scan_text(text)
    except InputError:
        return
    for d in report.documents:
        check_document(d.document)
    check_report(report)
    report.to_json()
    screen = io.StringIO()
    print_report(report, Console(file=screen, width=100, color_system=None))
    assert "\x1b" not in screen.getvalue(), "an escape sequence reached the terminal"


def warm_up() -> None:
    """Load the lexicons and models once, so that the first input is not charged for it."""
    scan_text("He tried to kill himself.")


TARGETS: dict[str, Callable[[bytes], None]] = {
    "text": fuzz_text,
    "markdown": fuzz_markdown,
    "html": fuzz_html,
    "ao3": fuzz_ao3,
    "epub": fuzz_epub,
    "scan": fuzz_scan,
}


def seeds(name: str) -> list[bytes]:
    """Starting inputs for ``name``: the fixtures of its format, cut into small pieces."""
    story = (ROOT / "examples" / "founding-story.txt").read_bytes()
    pieces = [story[i : i + 2000] for i in range(0, len(story), 2000)]
    if name in ("text", "scan"):
        return [(FIXTURES / "gutenberg.txt").read_bytes(), *pieces]
    if name == "markdown":
        return [b"# One\n\n" + p + b"\n\n## Two\n\n*" + p[:200] + b"*" for p in pieces]
    if name == "html":
        wrap = b"<html><body><h1>One</h1><p>%s</p><div><p>%s</p></div></body></html>"
        return [wrap % (p[:1000], p[1000:]) for p in pieces] + [
            (FIXTURES / "ao3_oneshot.html").read_bytes()
        ]
    if name == "ao3":
        return [(FIXTURES / f).read_bytes() for f in ("ao3_work.html", "ao3_oneshot.html")] + [
            b"|".join(p.split(b"\n\n")[:17]) for p in pieces
        ]
    if name == "epub":
        return [bytes([i]) * 64 for i in range(len(fixture_books()))]
    raise KeyError(name)
