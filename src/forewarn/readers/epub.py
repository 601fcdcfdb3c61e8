"""EPUB 2 and 3 stories: spine order, TOC chapter titles and OPF metadata, read defensively.

The archive is untrusted: XML is parsed with defusedxml, decompression is capped, hrefs never
leave the archive root, and DRM is refused. AO3, FanFicFare and Project Gutenberg books are
recognised so that their title pages, prefaces and licences stay out of the story text.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import IO
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from lxml import html

from forewarn.builder import DocumentBuilder, clean_block
from forewarn.document import Document, Metadata
from forewarn.errors import InputError
from forewarn.limits import MB, Deadline, Limits
from forewarn.readers.ao3 import (
    assign_field,
    element_text,
    extract_work,
    is_ao3_html,
    label_key,
)
from forewarn.readers.boilerplate import strip_boilerplate
from forewarn.readers.html import extract_blocks, parse_html, text_of
from forewarn.segment import play_division

CONTAINER = "META-INF/container.xml"
ENCRYPTION = "META-INF/encryption.xml"
_CHUNK = 64 * 1024
_HTML_TYPES = {"application/xhtml+xml", "text/html", "application/html"}
#: Font obfuscation is not DRM: the text stays readable.
_FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
#: Guide / landmark / epub:type values that mark pages which are not story text.
_NON_STORY_TYPES = {
    "cover",
    "title-page",
    "titlepage",
    "toc",
    "copyright-page",
    "colophon",
    "index",
    "loi",
    "lot",
    "landmarks",
    "halftitlepage",
}
_NON_STORY_STEMS = {"cover", "titlepage", "title_page", "toc", "toc_page", "log_page", "nav"}
_FFF_NON_STORY = {"fff_titlepage", "fff_tocpage", "fff_logpage", "fff_coverpage"}
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._-]+)[\"']")
_XML_DECL_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
_SENTENCE = re.compile(r"[.!?…][\"'”’)]*$")


# -- the archive -------------------------------------------------------------------------------
class _Archive:
    """Zip members read under a running decompression budget."""

    def __init__(self, data: bytes, source: str, limits: Limits) -> None:
        self.source = source
        self.budget = limits.max_decompressed_bytes
        self.used = 0
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            EOFError,
            ValueError,
            NotImplementedError,  # a damaged "version needed to extract" field
        ) as exc:
            raise self.error(f"corrupt or truncated EPUB ({exc})") from None
        if len(infos) > limits.max_archive_members:
            raise self.error(
                f"EPUB has too many files ({len(infos)}; the limit is {limits.max_archive_members})"
            )
        self.members = {info.filename: info for info in infos}
        if sum(info.file_size for info in infos) > self.budget:  # what the archive admits to
            raise self._too_big()

    def error(self, reason: str) -> InputError:
        return InputError(self.source, reason)

    def has(self, name: str) -> bool:
        return name in self.members

    def names(self) -> list[str]:
        return sorted(self.members)

    def read(self, name: str) -> bytes:
        """A member's bytes, counted against the budget chunk by chunk (sizes can lie)."""
        info = self.members[name]
        if info.flag_bits & 0x1:
            raise self.error("EPUB is DRM-encrypted (its files are password-protected)")
        if self.used + info.file_size > self.budget:
            raise self._too_big()
        try:
            with self.zip.open(info) as member:
                return self._read_capped(member)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
        ) as exc:
            raise self.error(f"corrupt or truncated EPUB ({name}: {exc})") from None

    def _read_capped(self, member: IO[bytes]) -> bytes:
        parts = []
        while chunk := member.read(_CHUNK):
            self.used += len(chunk)
            if self.used > self.budget:
                raise self._too_big()
            parts.append(chunk)
        return b"".join(parts)

    def _too_big(self) -> InputError:
        return self.error(f"EPUB decompresses to more than {self.budget // MB} MB (zip bomb?)")

    def xml(self, name: str) -> Element:
        """A member parsed as XML, refusing DTD entities (XXE, billion laughs)."""
        data = self.read(name)
        try:
            try:
                return SafeET.fromstring(data)
            except (LookupError, ValueError):  # an encoding expat cannot use (Shift_JIS, rot13)
                return SafeET.fromstring(_decode_markup(data))
        except DefusedXmlException:
            raise self.error(
                f"unsafe XML in {name} (entity declarations are refused: possible XXE or "
                "billion-laughs attack)"
            ) from None
        except ParseError as exc:
            raise self.error(f"malformed XML in {name} ({exc})") from None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _all(el: Element, name: str) -> list[Element]:
    return [e for e in el.iter() if _local(e.tag) == name]


def _attr(el: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (opf:role, role, ...)."""
    for key, value in el.attrib.items():
        if _local(key) == name:
            return value
    return None


def resolve(base_dir: str, href: str) -> tuple[str | None, str]:
    """``(archive path, fragment)`` of ``href``; path None if external or outside the root."""
    target, _, fragment = href.strip().partition("#")
    target = unquote(target)
    if not target:
        return None, fragment
    if target.startswith(("/", "\\")) or "\\" in target or re.match(r"^[A-Za-z][\w+.-]*:", target):
        return None, fragment
    path = posixpath.normpath(posixpath.join(base_dir, target))
    if path == ".." or path.startswith("../"):
        return None, fragment
    return path, fragment


# -- package (OPF) -----------------------------------------------------------------------------
@dataclass
class _Item:
    id: str
    href: str
    path: str | None
    media_type: str
    properties: set[str]


@dataclass
class _SpineRef:
    idref: str
    item: _Item | None
    linear: bool


@dataclass
class _Package:
    path: str
    dc: dict[str, list[Element]]
    items: dict[str, _Item]
    spine: list[_SpineRef]
    toc_id: str | None
    guide_skip: set[str]
    roles: dict[str, str] = field(default_factory=dict)

    def texts(self, name: str) -> list[str]:
        return [
            " ".join(e.text.split()) for e in self.dc.get(name, []) if e.text and e.text.strip()
        ]


def _refuse_drm(archive: _Archive) -> None:
    if not archive.has(ENCRYPTION):
        return
    for data in _all(archive.xml(ENCRYPTION), "EncryptedData"):
        methods = _all(data, "EncryptionMethod")
        algorithm = _attr(methods[0], "Algorithm") if methods else None
        if algorithm not in _FONT_OBFUSCATION:
            raise archive.error("EPUB is DRM-encrypted; forewarn can only read DRM-free books")


def _find_opf(archive: _Archive) -> str:
    # Only members whose names stay inside the archive root (no "../", no absolute paths).
    opfs = [n for n in archive.names() if n.lower().endswith(".opf") and resolve("", n)[0] == n]
    if archive.has(CONTAINER):
        for rootfile in _all(archive.xml(CONTAINER), "rootfile"):
            path, _ = resolve("", _attr(rootfile, "full-path") or "")
            if path and archive.has(path):
                return path
        if not opfs:
            raise archive.error("not an EPUB (container.xml names no package file in the archive)")
    if not opfs:
        raise archive.error("not an EPUB (no META-INF/container.xml and no OPF package file)")
    return opfs[0]


def _parse_package(archive: _Archive, opf_path: str) -> _Package:
    root = archive.xml(opf_path)
    base = posixpath.dirname(opf_path)
    dc: dict[str, list[Element]] = {}
    roles: dict[str, str] = {}
    for meta in _all(root, "metadata"):
        for el in meta.iter():
            if "purl.org/dc/elements" in str(el.tag):
                dc.setdefault(_local(el.tag), []).append(el)
            elif _local(el.tag) == "meta" and el.get("property") == "role" and el.text:
                roles[(el.get("refines") or "").lstrip("#")] = el.text.strip()
    items = {}
    for el in _all(root, "item"):
        href = el.get("href") or ""
        items[el.get("id") or href] = _Item(
            id=el.get("id") or href,
            href=href,
            path=resolve(base, href)[0],
            media_type=(el.get("media-type") or "").lower(),
            properties=set((el.get("properties") or "").split()),
        )
    spines = _all(root, "spine")
    spine = [
        _SpineRef(
            ref.get("idref") or "", items.get(ref.get("idref") or ""), ref.get("linear") != "no"
        )
        for ref in (_all(spines[0], "itemref") if spines else [])
    ]
    guide_skip = {
        path
        for ref in _all(root, "reference")
        if (ref.get("type") or "").lower() in _NON_STORY_TYPES
        and (path := resolve(base, ref.get("href") or "")[0])
    }
    toc_id = spines[0].get("toc") if spines else None
    return _Package(opf_path, dc, items, spine, toc_id, guide_skip, roles)


def _opf_metadata(package: _Package) -> Metadata:
    """Title, authors, language, subjects (as tags), description and source URL."""
    metadata = Metadata(source_format="epub")
    titles = package.texts("title")
    metadata.title = titles[0] if titles else None
    metadata.authors = [
        " ".join(el.text.split())
        for el in package.dc.get("creator", [])
        if el.text
        and el.text.strip()
        and (_attr(el, "role") or package.roles.get(el.get("id") or "", "aut")) == "aut"
    ]
    languages = package.texts("language")
    metadata.language = languages[0] if languages else None
    metadata.additional_tags = package.texts("subject")
    descriptions = [e.text for e in package.dc.get("description", []) if e.text]
    if descriptions:
        metadata.summary = _markup_text(descriptions[0]) or None
    metadata.url = _source_url(package)
    return metadata


def _markup_text(text: str) -> str:
    """Plain text of a description that may be escaped HTML."""
    if "<" not in text:
        return " ".join(text.split())
    return element_text(parse_html(f"<html><body>{text}</body></html>", "description"))


def _source_url(package: _Package) -> str | None:
    for value in package.texts("source") + package.texts("identifier"):
        url = value[4:] if value.upper().startswith("URL:") else value
        if url.startswith(("http://", "https://")):
            return url
    return None


# -- table of contents -------------------------------------------------------------------------
@dataclass
class _Toc:
    """Chapter titles by archive path, in TOC order, with the fragment each points at."""

    entries: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    skip: set[str] = field(default_factory=set)

    def add(self, path: str | None, fragment: str, title: str) -> None:
        if path and title:
            self.entries.setdefault(path, []).append((fragment, title))

    def title(self, path: str) -> str | None:
        """The page's first entry's title; None for a label a tool invented ("Start")."""
        found = self.entries.get(path)
        return found[0][1] if found and not _is_placeholder(found[0][1]) else None


#: TOC labels a converter writes when the book has no contents of its own (calibre's "Start"):
#: no title the book prints, so the page's own heading names its chapter.
_PLACEHOLDERS = frozenset({"start", "begin", "beginning", "begin reading", "start reading"})


def _is_placeholder(title: str) -> bool:
    return " ".join(title.lower().split()) in _PLACEHOLDERS


def _read_toc(archive: _Archive, package: _Package) -> _Toc:
    """Titles from the EPUB 3 nav document, else from the EPUB 2 NCX."""
    toc = _Toc()
    nav = next((i for i in package.items.values() if "nav" in i.properties), None)
    if nav and nav.path and archive.has(nav.path):
        _read_nav(archive, nav.path, toc)
    ncx = package.items.get(package.toc_id or "") or next(
        (i for i in package.items.values() if i.media_type == "application/x-dtbncx+xml"), None
    )
    if not toc.entries and ncx and ncx.path and archive.has(ncx.path):
        _read_ncx(archive, ncx.path, toc)
    return toc


def _read_nav(archive: _Archive, path: str, toc: _Toc) -> None:
    markup = _decode_markup(archive.read(path))  # archive errors are fatal
    try:
        root = parse_html(markup, path)
    except InputError:
        return  # an unreadable nav document: fall back to the NCX
    base = posixpath.dirname(path)
    for nav in root.iter("nav"):
        kind = (nav.get("epub:type") or nav.get("type") or "").lower()
        for link in nav.iter("a"):
            target, fragment = resolve(base, link.get("href") or "")
            if "landmarks" in kind:
                if (link.get("epub:type") or "").lower() in _NON_STORY_TYPES and target:
                    toc.skip.add(target)
            elif "toc" in kind or not kind:
                toc.add(target, fragment, text_of(link))


def _read_ncx(archive: _Archive, path: str, toc: _Toc) -> None:
    base = posixpath.dirname(path)
    for point in _all(archive.xml(path), "navPoint"):
        labels = [t for t in point.iter() if _local(t.tag) == "text"]
        contents = [c for c in point if _local(c.tag) == "content"]
        if labels and contents:
            target, fragment = resolve(base, contents[0].get("src") or "")
            toc.add(target, fragment, " ".join((labels[0].text or "").split()))


# -- content documents -------------------------------------------------------------------------
@dataclass
class _Page:
    """A spine document's markup and what the reader asks of every page before it reads one
    (from its tree at load). The trees are not kept: each page's is parsed again where it is
    read, one at a time (sixty-four pages of tiny elements held 0.6 GB of trees at once)."""

    ref: _SpineRef
    path: str
    markup: str
    #: The position of ``ref`` in the spine, counted from 1 (as EPUB CFIs count it).
    index: int = 1
    #: An AO3 download's page (``is_ao3_html``).
    ao3: bool = False
    #: Its body's classes.
    classes: frozenset[str] = frozenset()
    #: Whether it holds Project Gutenberg's ``#pg-header``.
    gutenberg: bool = False
    #: The ``epub:type`` of its body and of the body's sections and divs, lowercased.
    types: frozenset[str] = frozenset()

    @classmethod
    def of(cls, ref: _SpineRef, path: str, markup: str, index: int) -> _Page:
        """The page of ``markup`` (InputError if it is not readable HTML)."""
        root = parse_html(markup, path)
        body = _body(root)
        marked = [body, *body.iterchildren("section", "div")]
        return cls(
            ref,
            path,
            markup,
            index,
            ao3=is_ao3_html(root),
            classes=frozenset((body.get("class") or "").split()),
            gutenberg=root.get_element_by_id("pg-header", None) is not None,
            types=frozenset((el.get("epub:type") or "").lower() for el in marked),
        )

    def tree(self) -> html.HtmlElement:
        """The page's tree, parsed anew."""
        return parse_html(self.markup, self.path)


def _body(root: html.HtmlElement) -> html.HtmlElement:
    """A page's body (its root if it has none)."""
    body = root.find("body")
    return body if body is not None else root


def _decode_markup(data: bytes) -> str:
    """XHTML/XML bytes to text without the XML declaration: BOM, declared encoding, else UTF-8."""
    return _XML_DECL_TEXT.sub("", _decode_bytes(data), count=1)


def _decode_bytes(data: bytes) -> str:
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if m := _XML_DECL.match(data):
        # A declaration may name a codec that is no text encoding (rot13, idna, undefined).
        with contextlib.suppress(LookupError, UnicodeError):
            return data.decode(m.group(1).decode("ascii"), errors="replace")
    return data.decode("utf-8", errors="replace")


def _load_pages(
    archive: _Archive, package: _Package, notices: list[str], deadline: Deadline
) -> list[_Page]:
    """The spine's readable documents in order; missing or unsafe ones become notices."""
    pages = []
    for index, ref in enumerate(package.spine, start=1):
        deadline.check()
        item = ref.item
        if item is None:
            notices.append(f"spine entry '{ref.idref}' is not in the EPUB's manifest; skipped")
            continue
        if item.path is None:
            notices.append(f"spine entry '{item.href}' points outside the EPUB; skipped")
            continue
        if not archive.has(item.path):
            notices.append(f"spine entry '{item.href}' is missing from the EPUB; skipped")
            continue
        if not _is_html(item) or "nav" in item.properties or not ref.linear:
            continue
        markup = _decode_markup(archive.read(item.path))  # archive errors are fatal
        try:
            pages.append(_Page.of(ref, item.path, markup, index))
        except InputError:
            notices.append(f"spine entry '{item.href}' is not readable HTML; skipped")
    return pages


def _is_html(item: _Item) -> bool:
    return (
        item.media_type in _HTML_TYPES
        or item.path is not None
        and item.path.lower().endswith((".xhtml", ".html", ".htm"))
    )


# -- flavours ----------------------------------------------------------------------------------
def _flavour(package: _Package, pages: list[_Page]) -> str:
    """ "ao3", "fanficfare", "gutenberg" or "epub", from OPF fields and the pages' markup."""

    def opf_says(text: str, *fields: str) -> bool:
        return any(text in value.lower() for f in fields for value in package.texts(f))

    if opf_says("archive of our own", "publisher") or any(p.ao3 for p in pages):
        return "ao3"
    if opf_says("fanficfare", "contributor", "identifier") or any(
        p.classes & _FFF_NON_STORY for p in pages
    ):
        return "fanficfare"
    if opf_says("gutenberg", "identifier", "publisher") or any(p.gutenberg for p in pages):
        return "gutenberg"
    return "epub"


def _is_non_story(page: _Page, package: _Package, toc: _Toc) -> bool:
    """Cover, title, contents, copyright and log pages, as marked by the book or its tooling."""
    if page.path in package.guide_skip or page.path in toc.skip:
        return True
    if page.classes & _FFF_NON_STORY:
        return True
    stem = posixpath.splitext(posixpath.basename(page.path))[0].lower()
    if stem in _NON_STORY_STEMS or (page.ref.item and page.ref.item.id.lower() in _NON_STORY_STEMS):
        return True
    return bool(page.types & _NON_STORY_TYPES)


# -- cleaning pages ----------------------------------------------------------------------------
def _retitle_headings(
    body: html.HtmlElement, entries: list[tuple[str, str]], deadline: Deadline
) -> None:
    """Give each heading a TOC entry points at (by fragment) that entry's title."""
    for fragment, title in entries:
        deadline.check()
        if _is_placeholder(title):
            continue
        target = body.get_element_by_id(fragment, None) if fragment else None
        if target is None:
            continue
        found = target.xpath(
            "ancestor-or-self::*[self::h1 or self::h2 or self::h3][1]"
            " | descendant::*[self::h1 or self::h2 or self::h3][1]"
            " | following::*[self::h1 or self::h2 or self::h3][1]"
        )
        if found:
            heading = found[0]
            for child in list(heading):
                heading.remove(child)
            heading.text = title


def _looks_like_front_matter(body: html.HtmlElement) -> bool:
    """A short page without a single sentence: a title page, byline or dedication, not prose."""
    blocks = element_text(body).split("\n\n")
    words = sum(len(b.split()) for b in blocks)
    return words < 80 and not any(_SENTENCE.search(b) and len(b.split()) >= 3 for b in blocks)


# -- building the document ---------------------------------------------------------------------
class _SpineBuilder(DocumentBuilder):
    """Chapters per spine document: the TOC title wins, leading headings are not text.

    A play's page (one document often holds the whole play, under one TOC entry) is split at
    its act and scene headings, whether they are headings or plain paragraphs ("ACT I.",
    "SCENE II. A room in the castle."): each scene is a chapter titled with its act."""

    def __init__(self) -> None:
        super().__init__()
        self._leading: list[str] | None = None
        self._has_title = False
        self._split = True
        self._play = False
        self._act: str | None = None
        #: The play headings read since the last paragraph of text (they open one chapter).
        self._divisions: list[str] = []

    def begin_page(
        self, title: str | None, new_chapter: bool, split: bool, play: bool = False
    ) -> None:
        """A spine document starts; ``split``: later headings open chapters, else stay text;
        ``play``: its act and scene headings open chapters (as headings or as paragraphs)."""
        self._leading, self._has_title, self._split = [], title is not None, split or play
        self._play, self._divisions = play, []
        if new_chapter:
            super().start_chapter(title)

    def _division(self, title: str) -> bool:
        """Open a chapter at a play's act or scene heading; False if ``title`` is neither."""
        heading = clean_block(title).replace("\n", " ")
        kind = play_division(heading) if self._play else None
        if kind is None:
            return False
        if kind == "act":
            self._act, self._divisions = heading, []
        elif self._act and not self._divisions:
            self._divisions = [self._act]  # "SCENE II." names its act: "ACT I. — SCENE II."
        self._divisions.append(heading)
        self._leading = None
        super().start_chapter(" — ".join(self._divisions))
        return True

    def start_chapter(self, title: str | None = None) -> None:
        if title and self._division(title):
            return
        if self._leading is not None:  # a heading before any text: this page's title
            if title:
                self._leading.append(title)
            if not self._has_title:
                super().start_chapter(" — ".join(self._leading) or None)
        elif self._split:
            super().start_chapter(title)
        elif title:
            super().add_paragraph(title)

    def add_paragraph(self, text: str) -> None:
        if self._play and self._division(text):
            return
        if clean_block(text):
            self._leading, self._divisions = None, []
        super().add_paragraph(text)


#: Act and scene headings on one page that make it a play's (split at them).
_PLAY_DIVISIONS = 2
_PLAY_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "center")


def _is_play(body: html.HtmlElement, title: str | None, deadline: Deadline) -> bool:
    """Whether a page holds a play's acts or scenes: two headings or short paragraphs or more
    that read "ACT I." or "SCENE II. A room in the castle.", one of them an act (or the page
    is an act, by its TOC title). A story's chapter with "Scene 1" and "Scene 2" in it is
    not a play: its scenes stay in the chapter."""
    kinds = [kind] if title and (kind := play_division(title)) else []
    for el in body.iter(*_PLAY_BLOCKS):
        deadline.check()
        if len(el.text_content()) <= 100 and (kind := play_division(text_of(el))):
            kinds.append(kind)
            if len(kinds) >= _PLAY_DIVISIONS and "act" in kinds:
                return True
    return False


def _begin_spine_item(builder: DocumentBuilder, page: _Page) -> None:
    item = page.ref.item
    builder.begin_spine_item(page.index, item.href if item else page.path, page.ref.idref)


def _read_ao3(pages: list[_Page], metadata: Metadata, deadline: Deadline) -> DocumentBuilder:
    builder = DocumentBuilder()
    metadata.additional_tags = []  # the OPF's subjects mix rating, warnings and tags
    for page in pages:
        deadline.check()
        _begin_spine_item(builder, page)
        root = page.tree()
        if not extract_work(root, builder, metadata):
            extract_blocks(_body(root), builder, headings_as_chapters=False, deadline=deadline)
    return builder


def _read_spine(
    pages: list[_Page], package: _Package, toc: _Toc, flavour: str, deadline: Deadline
) -> _SpineBuilder:
    """The story pages' blocks, one page's tree at a time; front matter before the first page
    of prose is left out (but not a FanFicFare book's, nor the last page)."""
    story = [p for p in pages if not _is_non_story(p, package, toc)]
    front = flavour != "fanficfare"
    builder = _SpineBuilder()
    for left, page in zip(range(len(story), 0, -1), story, strict=True):
        body = _body(page.tree())
        strip_boilerplate(body, deadline)
        if front and left > 1 and _looks_like_front_matter(body):
            continue
        front = False
        entries = toc.entries.get(page.path, [])
        _retitle_headings(body, entries, deadline)
        _begin_spine_item(builder, page)
        builder.begin_page(
            toc.title(page.path),
            new_chapter=bool(entries) or not toc.entries or builder.empty,
            split=len(entries) != 1,
            play=_is_play(body, toc.title(page.path), deadline),
        )
        extract_blocks(body, builder, deadline=deadline)
    return builder


# -- FanFicFare title page ---------------------------------------------------------------------
#: FanFicFare title-page labels -> Metadata field; a later label only fills a still-empty field
#: (FanFicFare puts the fandom in "Category" and tags in "Genre" for most sites).
_FFF_FIELDS = [
    ("rating", "rating"),
    ("warnings", "archive_warnings"),
    ("fandoms", "fandoms"),
    ("category", "fandoms"),
    ("ao3 categories", "categories"),
    ("relationships", "relationships"),
    ("characters", "characters"),
    ("freeform tags", "additional_tags"),
    ("genre", "additional_tags"),
    ("language", "language"),
    ("summary", "summary"),
]
_FFF_SUBJECT_NOISE = re.compile(r"^(?:fanfiction|completed|in-progress|last update\b.*)$", re.I)


def _title_page_entries(body: html.HtmlElement) -> dict[str, str]:
    """``<b>Label:</b> value<br/>`` (or table-cell) entries of a FanFicFare title page."""
    entries = {}
    for bold in body.iter("b"):
        label = text_of(bold)
        if label.endswith(":") and label_key(label) not in entries:
            entries[label_key(label)] = _entry_value(bold)
    return entries


def _entry_value(bold: html.HtmlElement) -> str:
    cell = bold.getparent()
    if cell is not None and cell.tag == "td" and (value_cell := cell.getnext()) is not None:
        return text_of(value_cell)
    parts = [bold.tail or ""]
    for sibling in bold.itersiblings():
        if sibling.tag in ("br", "b"):
            break
        parts.append(text_of(sibling) + " " + (sibling.tail or ""))
    return " ".join(" ".join(parts).split())


def _apply_fanficfare(pages: list[_Page], metadata: Metadata) -> None:
    subjects = metadata.additional_tags
    metadata.additional_tags = []
    page = next((p for p in pages if "fff_titlepage" in p.classes), None)
    title_page = _body(page.tree()) if page is not None else None
    entries = _title_page_entries(title_page) if title_page is not None else {}
    for label, attr in _FFF_FIELDS:
        if label in entries and not getattr(metadata, attr):
            values = [entries[label]] if attr == "summary" else entries[label].split(", ")
            assign_field(metadata, attr, values)
    if not metadata.additional_tags:
        metadata.additional_tags = [s for s in subjects if not _FFF_SUBJECT_NOISE.match(s)]
    if metadata.url is None and title_page is not None:
        link = title_page.find(".//h3/a")
        metadata.url = link.get("href") if link is not None else None


# -- entry point -------------------------------------------------------------------------------
_FORMATS = {"ao3": "ao3-epub", "fanficfare": "fanficfare-epub", "gutenberg": "gutenberg-epub"}


def read_epub(
    data: bytes, source: str, limits: Limits, deadline: Deadline | None = None
) -> Document:
    """An EPUB story: the spine's story documents in order, one chapter per document."""
    deadline = deadline or Deadline.start(source, limits)
    archive = _Archive(data, source, limits)
    _refuse_drm(archive)
    package = _parse_package(archive, _find_opf(archive))
    metadata = _opf_metadata(package)
    notices: list[str] = []
    pages = _load_pages(archive, package, notices, deadline)
    flavour = _flavour(package, pages)
    metadata.source_format = _FORMATS.get(flavour, "epub")
    if flavour == "ao3":
        builder = _read_ao3(pages, metadata, deadline)
    else:
        builder = _read_spine(pages, package, _read_toc(archive, package), flavour, deadline)
        if flavour == "fanficfare":
            _apply_fanficfare(pages, metadata)
    if builder.empty:
        raise InputError(source, "EPUB has no readable chapters")
    del pages  # their markup is spent: free it before the document is built
    doc = builder.build(metadata, source)
    doc.notices.extend(notices)
    return doc
