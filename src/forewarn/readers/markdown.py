"""Markdown stories: rendered to HTML with markdown-it, then read like any HTML body.

markdown-it keeps a Python object of some 400 bytes per token, and a table cell or a line of
one letter is a token per byte or two: a whole 2 MB table held 1.8 GB. So the story is rendered
piece by piece (``PIECE_CHARS`` at a time, cut between blocks), and a single block longer than
that is read as plain text: memory is bounded by the piece size, not the story's.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock
from markdown_it.rules_block import StateBlock

from forewarn.builder import DocumentBuilder
from forewarn.document import Document, Metadata
from forewarn.limits import Deadline
from forewarn.readers.html import extract_blocks, parse_html
from forewarn.readers.markdown_pieces import pieces
from forewarn.readers.text import decode, document_from_text, normalise_newlines
from forewarn.segment import blocks

#: Characters rendered at once: tokens of at most ~60 MB however dense the markup.
PIECE_CHARS = 64 * 1024
_TOO_DEEP = "forewarn_too_deep"
_REFERENCE = re.compile(r"^ {0,3}\[(?:[^\]\\\n]|\\.)+\]:", re.M)


class _DepthCheckingBlockParser(ParserBlock):
    """markdown-it silently drops blocks nested past ``maxNesting``: flag that in ``env``."""

    def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:  # noqa: N803
        if state.level >= state.md.options.maxNesting:
            state.env[_TOO_DEEP] = True
        super().tokenize(state, startLine, endLine)


_MD = MarkdownIt("commonmark", {"html": False})
_MD.block = _DepthCheckingBlockParser()
#: Block structure only: what collects link reference definitions from every piece first.
_MD_BLOCKS = MarkdownIt("commonmark", {"html": False})
_MD_BLOCKS.core.ruler.disable(["inline", "text_join"])


class _TooDeep(Exception):
    """Some block nests deeper than markdown-it renders."""


def read_markdown(data: bytes, source: str, deadline: Deadline | None = None) -> Document:
    """Headings open chapters; emphasis and link markup disappear from the story text."""
    text = normalise_newlines(decode(data, source))
    metadata = Metadata(source_format="markdown")
    try:
        builder = _render(text, source, deadline)
    except _TooDeep:  # read every word as plain text rather than lose the deep ones
        doc = document_from_text(text, source, metadata)
        doc.notices.append(
            f"Markdown nested more than {_MD.options.maxNesting} levels deep; "
            "read as plain text so that no text is lost"
        )
        return doc
    doc = builder.build(metadata, source)
    if builder.plain_blocks:
        doc.notices.append(
            f"{builder.plain_blocks} Markdown block(s) longer than {PIECE_CHARS // 1024} KB "
            "without a blank line read as plain text"
        )
    return doc


class _MarkdownBuilder(DocumentBuilder):
    """A DocumentBuilder that counts the blocks too long to render."""

    plain_blocks = 0


def _render(text: str, source: str, deadline: Deadline | None) -> _MarkdownBuilder:
    env: dict[str, object] = {}
    if len(text) > PIECE_CHARS:  # a reference may be defined in a later piece than its use
        for piece in pieces(text, PIECE_CHARS):
            if piece.fits and _REFERENCE.search(piece.text):
                _MD_BLOCKS.parse(piece.text, env)
    builder = _MarkdownBuilder()
    for piece in pieces(text, PIECE_CHARS):
        if deadline is not None:
            deadline.check()
        if not piece.fits:
            builder.plain_blocks += 1
            for span in blocks(piece.text):
                builder.add_paragraph(piece.text[span.start : span.end])
            continue
        tokens = _MD.parse(piece.text, env)
        if env.pop(_TOO_DEEP, False):
            raise _TooDeep
        rendered = _MD.renderer.render(tokens, _MD.options, env)
        del tokens
        root = parse_html(f"<html><body>{rendered}</body></html>", source)
        extract_blocks(root, builder, deadline=deadline)
    return builder
