"""Cleaning an EPUB page: Gutenberg header and licence, navigation, and lists of links.

Each pass walks the page once, gathering every element's text sizes from its children's
(``iterwalk`` start/end events), so the cost is linear in the page however deep it nests;
each step checks the deadline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree, html

from forewarn.limits import Deadline

_PG_BOILERPLATE_IDS = {
    "pg-header",
    "pg-footer",
    "pg-machine-header",
    "pg-start-separator",
    "pg-end-separator",
    "pg-smallprint",
}
_PG_START = re.compile(r"\*\*\*\s*START OF (?:THE|THIS) PROJECT GUTENBERG", re.I)
_PG_END = re.compile(r"\*\*\*\s*END OF (?:THE|THIS) PROJECT GUTENBERG", re.I)
#: Elements that may hold a Gutenberg START/END line: short (at most this many characters,
#: at most three children).
_MARKER_TAGS = frozenset("p pre div span h1 h2 h3 h4 h5 h6".split())  # noqa: SIM905
_MARKER_CHARS = 300
#: Elements dropped when at least 80% of their (non-space) text is links inside the book.
_LIST_TAGS = frozenset("ul ol table p div dl".split())  # noqa: SIM905
_EXTERNAL = re.compile(r"^[A-Za-z][\w+.-]*:")


def strip_boilerplate(body: html.HtmlElement, deadline: Deadline | None = None) -> None:
    """Remove Gutenberg header/licence, navigation, and lists of links (inline contents)."""
    for el in list(body.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        ident = el.get("id") or ""
        classes = (el.get("class") or "").split()
        if ident in _PG_BOILERPLATE_IDS or "pg-boilerplate" in classes or el.tag == "nav":
            el.drop_tree()
    for el, start in _gutenberg_markers(body, deadline):
        if _attached(el, body):
            _drop_siblings(el, body, preceding=start)
    for el in _link_lists(body, deadline):
        el.drop_tree()


@dataclass
class _Sizes:
    """What one element holds so far: its text (while short), its length, non-space characters
    and non-space characters inside links."""

    parts: list[str] | None = field(default_factory=list)
    length: int = 0
    solid: int = 0
    linked: int = 0

    def add(self, text: str | None) -> None:
        if not text:
            return
        self.length += len(text)
        self.solid += len("".join(text.split()))
        if self.parts is not None:
            if self.length > _MARKER_CHARS:
                self.parts = None
            else:
                self.parts.append(text)

    def absorb(self, child: _Sizes) -> None:
        self.linked += child.linked
        if child.parts is None:
            self.parts = None
            self.length += child.length
            self.solid += child.solid
        else:
            self.add("".join(child.parts))


def _gutenberg_markers(
    body: html.HtmlElement, deadline: Deadline | None
) -> list[tuple[html.HtmlElement, bool]]:
    """Short elements holding a *** START/END OF THE PROJECT GUTENBERG line, in document order
    (``True`` for START); older Gutenberg books mark the text this way, not with ids."""
    found: list[tuple[int, html.HtmlElement, bool]] = []
    order = 0
    stack: list[tuple[_Sizes, int]] = []
    for event, el in etree.iterwalk(body, events=("start", "end")):
        if deadline is not None:
            deadline.check()
        if event == "start":
            order += 1
            sizes = _Sizes()
            sizes.add(el.text if isinstance(el.tag, str) else None)
            stack.append((sizes, order))
            continue
        sizes, seen = stack.pop()
        if el.tag in _MARKER_TAGS and len(el) <= 3 and sizes.parts is not None:
            text = "".join(sizes.parts)
            if _PG_START.search(text):
                found.append((seen, el, True))
            elif _PG_END.search(text):
                found.append((seen, el, False))
        if stack:
            stack[-1][0].absorb(sizes)
            stack[-1][0].add(el.tail)
    return [(el, start) for _, el, start in sorted(found, key=lambda f: f[0])]


def _link_lists(body: html.HtmlElement, deadline: Deadline | None) -> list[html.HtmlElement]:
    """The outermost list-like elements whose text is at least 80% links inside the book."""
    found: list[html.HtmlElement] = []
    stack: list[tuple[_Sizes, int]] = []
    for event, el in etree.iterwalk(body, events=("start", "end")):
        if deadline is not None:
            deadline.check()
        if event == "start":
            sizes = _Sizes(parts=None)
            sizes.add(el.text if isinstance(el.tag, str) else None)
            stack.append((sizes, len(found)))
            continue
        sizes, before = stack.pop()
        if el.tag == "a" and (href := el.get("href")) and not _EXTERNAL.match(href):
            sizes.linked += sizes.solid
        if el.tag in _LIST_TAGS and sizes.solid and sizes.linked >= 0.8 * sizes.solid and stack:
            del found[before:]  # lists inside this one go with it
            found.append(el)
        if stack:
            stack[-1][0].absorb(sizes)
            stack[-1][0].add(el.tail)
    return found


def _attached(el: html.HtmlElement, body: html.HtmlElement) -> bool:
    """Still inside ``body`` (not in a subtree an earlier marker dropped)."""
    return any(ancestor is body for ancestor in el.iterancestors())


def _drop_siblings(el: html.HtmlElement, body: html.HtmlElement, preceding: bool) -> None:
    """Drop everything before (or after) ``el`` up to ``body``, and ``el`` itself."""
    node = el
    while node is not None and node is not body:
        for sibling in list(node.itersiblings(preceding=preceding)):
            sibling.getparent().remove(sibling)
        node = node.getparent()
    el.drop_tree()
