"""HTML stories: the body's text in reading order, one paragraph per block, headings as chapters."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree, html

from forewarn.builder import DocumentBuilder
from forewarn.document import Metadata
from forewarn.errors import InputError
from forewarn.limits import Deadline

BLOCK_TAGS = frozenset(
    """p div section article blockquote li ul ol dd dt dl pre h1 h2 h3 h4 h5 h6 table tr td th
    center header footer main aside figure figcaption address body nav hr""".split()  # noqa: SIM905
)
SKIP_TAGS = frozenset(
    """script style head title noscript template svg math iframe object embed button select
    textarea form""".split()  # noqa: SIM905
)
HEADING_TAGS = {"h1", "h2", "h3"}


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_DOCTYPE_SUBSET = re.compile(r"^\s*<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.I | re.S)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")


def _no_xml_char(point: int) -> str | None:
    """What stands for code point ``point`` in markup: None where it is a legal XML character;
    U+FFFD for NUL, surrogates and non-characters beyond Unicode (as browsers do); else a space."""
    if point > 0x10FFFF or point == 0 or 0xD800 <= point <= 0xDFFF:
        return "\ufffd"
    return " " if _NOT_XML.match(chr(point)) else None


def _clean_reference(m: re.Match[str]) -> str:
    hexadecimal, decimal = m.group(1), m.group(2)
    if len((hexadecimal or decimal).lstrip("0")) > 8:
        point = 0x110000  # beyond Unicode, however many digits (int() refuses thousands)
    else:
        point = int(hexadecimal, 16) if hexadecimal else int(decimal)
    replacement = _no_xml_char(point)
    return m.group() if replacement is None else replacement


def decode_html(data: bytes) -> str:
    """HTML bytes to text: BOM, then a declared <meta charset>, then UTF-8, then cp1252."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace").lstrip("\ufeff")
    declared = _CHARSET.search(data[:4096])
    candidates = [declared.group(1).decode("ascii", "ignore")] if declared else []
    for codec in [*candidates, "utf-8", "cp1252"]:
        try:
            return data.decode(codec)
        except (UnicodeError, LookupError):  # also a declared codec that is not text (idna)
            continue
    return data.decode("latin-1")


def clean_markup(data: bytes | str) -> str:
    """HTML as text lxml parses safely and as it would show it: decoded, without an XML
    declaration or a DOCTYPE's internal subset, control characters replaced."""
    text = decode_html(data) if isinstance(data, bytes) else data
    text = _XML_DECL.sub("", text, count=1)  # lxml refuses str input with an encoding declaration
    # An XHTML DOCTYPE's internal subset ([<!ENTITY ...>]) is never expanded; lxml's HTML parser
    # would end the DOCTYPE at its first ">" and show the rest as story text.
    text = _DOCTYPE_SUBSET.sub("", text, count=1)
    # Control characters are never story text, and lxml's tree API refuses to re-set text that
    # holds them (drop_tree, .text =), though its parser lets them in: NUL becomes U+FFFD (as
    # in browsers), the others spaces.
    text = _NOT_XML.sub(lambda m: "\ufffd" if m.group() == "\x00" else " ", text)
    return _CHAR_REF.sub(_clean_reference, text)  # "&#1;" would bring one back in


#: How lxml parses every HTML story: no network, comments and PIs dropped, libxml2's limits on.
PARSER_OPTIONS = {
    "remove_comments": True,
    "remove_pis": True,
    "no_network": True,
    "recover": True,
    "huge_tree": False,
}


def parse_html(data: bytes | str, source: str) -> html.HtmlElement:
    """Parse (possibly malformed) HTML safely: no network, no entity expansion from DTDs."""
    text = clean_markup(data)
    parser = html.HTMLParser(**PARSER_OPTIONS)
    try:
        root = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(source, f"malformed HTML ({exc})") from None
    if root is None:
        raise InputError(source, "malformed HTML (no document)")
    for error in parser.error_log:
        # libxml2 stops at 256 nested elements or a 10 MB text node and silently drops the rest:
        # refuse instead of reporting on part of the story.
        if error.type_name == "ERR_RESOURCE_LIMIT":
            reason = error.message.strip()
            raise InputError(
                source, f"HTML too deeply nested or too large to read whole ({reason})"
            )
    return root


def text_of(el: html.HtmlElement) -> str:
    """An element's visible text with <br> as line breaks and whitespace collapsed."""
    parts: list[str] = []
    _inline_text(el, parts)
    return " ".join("".join(parts).split(" ")).strip()


def _inline_text(el: html.HtmlElement, parts: list[str]) -> None:
    if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
        return
    if el.tag == "br":
        parts.append("\n")
    elif el.text:
        parts.append(" ".join(el.text.split()) if not el.text.isspace() else " ")
        if el.text[:1].isspace() and parts[-1] and not parts[-1].startswith(" "):
            parts[-1] = " " + parts[-1]
        if el.text[-1:].isspace() and not parts[-1].endswith(" "):
            parts[-1] += " "
    for child in el:
        _inline_text(child, parts)
        if child.tail:
            tail = child.tail
            collapsed = " ".join(tail.split())
            if tail[:1].isspace():
                collapsed = " " + collapsed
            if tail[-1:].isspace() and collapsed and not collapsed.endswith(" "):
                collapsed += " "
            parts.append(collapsed or " ")


def extract_blocks(
    root: html.HtmlElement,
    builder: DocumentBuilder,
    headings_as_chapters: bool = True,
    deadline: Deadline | None = None,
) -> None:
    """Walk ``root`` in document order, adding each text block to ``builder`` as a paragraph."""
    # A stack of child iterators (depth-long, not width-long), yielding elements and the loose
    # text lying between blocks as strings.
    stack: list[Iterator[html.HtmlElement | str]] = [iter([root])]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
            continue
        if deadline is not None:
            deadline.check()
        if isinstance(el, str):
            builder.add_paragraph(el)
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in SKIP_TAGS or tag == "hr":
            continue  # <hr> is a scene break: part of no paragraph
        if tag in HEADING_TAGS and headings_as_chapters:
            if title := text_of(el):
                builder.start_chapter(title)
            continue
        if not _has_block_children(el):
            builder.add_paragraph(text_of(el))
            continue
        if el.text and el.text.strip():
            builder.add_paragraph(el.text)
        stack.append(_children_and_tails(el))


def _children_and_tails(el: html.HtmlElement) -> Iterator[html.HtmlElement | str]:
    for child in el:
        yield child
        if child.tail and child.tail.strip():
            yield child.tail


def _has_block_children(el: html.HtmlElement) -> bool:
    return any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el)


def html_blocks(
    root: html.HtmlElement, deadline: Deadline | None = None
) -> tuple[DocumentBuilder, Metadata]:
    """A parsed HTML story's blocks and metadata (not an AO3 download: ``readers.ao3`` reads
    those), ready to build once the caller has let go of the tree."""
    metadata = Metadata(source_format="html")
    title = root.find(".//title")
    if title is not None and title.text_content().strip():
        metadata.title = title.text_content().strip()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        metadata.language = lang
    builder = DocumentBuilder()
    body = root.find("body")
    extract_blocks(body if body is not None else root, builder, deadline=deadline)
    return builder, metadata
