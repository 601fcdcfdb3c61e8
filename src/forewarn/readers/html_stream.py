"""Reading an HTML story's blocks as lxml parses it, without its tree.

libxml2's tree holds two nodes per tiny element (16 MB of ``<p>a</p>``: 0.6 GB). Here the
parser hands its events to ``BlockStream`` (an lxml parser target: the same parse, no tree),
which keeps of the body only what ``extract_blocks`` still needs: an element whose children
are not yet known to hold a block (its text may become one paragraph) keeps its subtree; once
one does, its finished children are extracted and let go as they end. The paragraphs, chapters
and metadata are those ``html_blocks`` makes from the tree, in the same order.

Where the stream cannot stand for the tree it raises ``NeedsTree`` and the caller parses the
tree: a document without a body, nesting deeper than the tree allows (libxml2 enforces its
limit of 256 only while it builds a tree), an ``id="preface"`` (an AO3 download, read from
the tree), or a parse that failed or hit a limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from lxml import etree

from forewarn.builder import DocumentBuilder
from forewarn.document import Metadata
from forewarn.limits import Deadline
from forewarn.readers.html import (
    BLOCK_TAGS,
    HEADING_TAGS,
    PARSER_OPTIONS,
    SKIP_TAGS,
    clean_markup,
    extract_blocks,
)

#: The deepest nesting libxml2 builds a tree of (elements, the root included).
MAX_DEPTH = 256
#: Events between deadline checks.
CHECK_EVERY = 4096
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class NeedsTree(Exception):
    """The stream cannot stand for the tree here: parse the tree (``html_blocks``)."""


class Node:
    """An element kept while its text may still be read whole: what ``extract_blocks`` and
    ``text_of`` read of an lxml element (tag, text, tail, children)."""

    __slots__ = ("children", "tag", "tail", "text")

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.text: str | None = None
        self.tail: str | None = None
        self.children: list[Node] = []

    def __iter__(self) -> Iterator[Node]:
        return iter(self.children)

    def __len__(self) -> int:
        return len(self.children)


def text_content(node: Node) -> str:
    """All the text inside ``node`` (lxml's ``text_content``)."""
    parts = [node.text or ""]
    for child in node:
        parts.append(text_content(child))
        parts.append(child.tail or "")
    return "".join(parts)


class Role(Enum):
    """What the extraction does with an open element."""

    #: Outside the body (or a part whose text no paragraph holds): nothing is kept.
    IGNORED = "ignored"
    #: Kept inside an element whose text is read whole.
    KEPT = "kept"
    #: Extracted whole when it ends: no block child yet, or a heading (a chapter's title).
    WHOLE = "whole"
    #: Holds a block: each child is extracted as it ends, each tail is a paragraph.
    OPEN = "open"


@dataclass
class _Open:
    """An open element, its role, and whether a child of it has ended (data is its tail)."""

    node: Node
    role: Role
    after_child: bool = False


@dataclass
class BlockStream:
    """An lxml parser target adding an HTML story's blocks to ``builder`` as they are parsed
    (``extract_blocks`` of the body, with headings as chapters); ``title`` and ``language``
    are what ``html_blocks`` reads from the tree."""

    builder: DocumentBuilder
    deadline: Deadline | None = None
    title: str | None = None
    language: str | None = None
    _stack: list[_Open] = field(default_factory=list)
    _data: list[str] = field(default_factory=list)
    _roots = 0
    _bodies = 0
    _title: Node | None = None
    _titled = False
    _events = 0

    # -- the parser target ----------------------------------------------------------------
    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self._tick()
        if "preface" in attrib.values():
            raise NeedsTree("an AO3 download's preface")
        self._flush()
        node = Node(tag)
        if not self._stack:
            self._roots += 1
            if self._roots == 1:
                self.language = attrib.get("lang") or attrib.get(_XML_LANG)
            role = Role.IGNORED
        else:
            role = self._role_of(node, self._stack[-1])
        if len(self._stack) >= MAX_DEPTH:
            raise NeedsTree("nesting deeper than libxml2's tree")
        if tag == "title" and not self._titled and self._roots == 1:
            self._titled = True
            self._title = node
        self._stack.append(_Open(node, role))

    def end(self, tag: str) -> None:
        self._tick()
        self._flush()
        closed = self._stack.pop()
        if closed.node is self._title:
            self.title = text_content(closed.node).strip() or None
            self._title = None
        if closed.role is Role.WHOLE:
            extract_blocks(closed.node, self.builder, deadline=self.deadline)
        if self._stack:
            self._stack[-1].after_child = True

    def data(self, text: str) -> None:
        if self._stack and (self._stack[-1].role is not Role.IGNORED or self._title is not None):
            self._data.append(text)

    def close(self) -> None:
        self._flush()
        if self._bodies == 0:
            raise NeedsTree("no body")

    # -- what the events mean ------------------------------------------------------------------
    def _role_of(self, node: Node, parent: _Open) -> Role:
        """The role of ``node``, a new child of ``parent`` (which it may open)."""
        if parent.role is Role.IGNORED:
            if len(self._stack) == 1 and node.tag == "body" and self._roots == 1:
                self._bodies += 1
                if self._bodies == 1:
                    return self._visited(node)
            if self._title is not None:
                parent.node.children.append(node)  # inside the title: its text is read
            return Role.IGNORED
        if (
            parent.role is Role.WHOLE
            and node.tag in BLOCK_TAGS
            and parent.node.tag not in (HEADING_TAGS)
        ):
            self._open(parent)
        if parent.role is Role.OPEN:
            return self._visited(node)
        parent.node.children.append(node)
        return Role.KEPT

    @staticmethod
    def _visited(node: Node) -> Role:
        """The role of an element ``extract_blocks`` visits on its own."""
        return Role.IGNORED if node.tag in SKIP_TAGS or node.tag == "hr" else Role.WHOLE

    def _open(self, parent: _Open) -> None:
        """``parent`` holds a block: its text and finished children become paragraphs now."""
        node = parent.node
        if node.text and node.text.strip():
            self.builder.add_paragraph(node.text)
        for child in node.children:
            extract_blocks(child, self.builder, deadline=self.deadline)
            if child.tail and child.tail.strip():
                self.builder.add_paragraph(child.tail)
        node.text, node.children[:] = None, []
        parent.role = Role.OPEN

    def _flush(self) -> None:
        """The data since the last event: the text of the open element, or the tail of its
        last child (a paragraph of its own in an open element)."""
        if not self._data:
            return
        text, self._data = "".join(self._data), []
        top = self._stack[-1]
        if not top.after_child:
            top.node.text = text
        elif top.role is Role.OPEN:
            if text.strip():
                self.builder.add_paragraph(text)
        elif top.node.children:
            top.node.children[-1].tail = text

    def _tick(self) -> None:
        self._events += 1
        if self.deadline is not None and self._events % CHECK_EVERY == 0:
            self.deadline.check()


def stream_blocks(
    data: bytes | str, deadline: Deadline | None = None
) -> tuple[DocumentBuilder, Metadata]:
    """An HTML story's blocks and metadata, as ``html_blocks(parse_html(data))`` makes them
    but without the tree; ``NeedsTree`` where that is the way to read it."""
    stream = BlockStream(DocumentBuilder(), deadline)
    parser = etree.HTMLParser(target=stream, **PARSER_OPTIONS)
    try:
        etree.fromstring(clean_markup(data), parser)
    except (etree.LxmlError, ValueError) as exc:
        raise NeedsTree(f"the parse failed ({exc})") from None
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        raise NeedsTree("a limit of libxml2's")
    metadata = Metadata(source_format="html")
    metadata.title, metadata.language = stream.title, stream.language
    return stream.builder, metadata
