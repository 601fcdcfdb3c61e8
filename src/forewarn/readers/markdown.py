"""Markdown stories: rendered to HTML with markdown-it, then read like any HTML body."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock
from markdown_it.rules_block import StateBlock

from forewarn.builder import DocumentBuilder
from forewarn.document import Document, Metadata
from forewarn.readers.html import extract_blocks, parse_html
from forewarn.readers.text import decode, document_from_text, normalise_newlines

_TOO_DEEP = "forewarn_too_deep"


class _DepthCheckingBlockParser(ParserBlock):
    """markdown-it silently drops blocks nested past ``maxNesting``: flag that in ``env``."""

    def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:  # noqa: N803
        if state.level >= state.md.options.maxNesting:
            state.env[_TOO_DEEP] = True
        super().tokenize(state, startLine, endLine)


_MD = MarkdownIt("commonmark", {"html": False})
_MD.block = _DepthCheckingBlockParser()


def read_markdown(data: bytes, source: str) -> Document:
    """Headings open chapters; emphasis and link markup disappear from the story text."""
    text = normalise_newlines(decode(data, source))
    env: dict[str, bool] = {}
    tokens = _MD.parse(text, env)
    if env.get(_TOO_DEEP):  # read every word as plain text rather than lose the deep ones
        doc = document_from_text(text, source, Metadata(source_format="markdown"))
        doc.notices.append(
            f"Markdown nested more than {_MD.options.maxNesting} levels deep; "
            "read as plain text so that no text is lost"
        )
        return doc
    rendered = _MD.renderer.render(tokens, _MD.options, env)
    builder = DocumentBuilder()
    extract_blocks(parse_html(f"<html><body>{rendered}</body></html>", source), builder)
    return builder.build(Metadata(source_format="markdown"), source)
