"""Markdown stories: rendered to HTML with markdown-it, then read like any HTML body."""

from __future__ import annotations

from markdown_it import MarkdownIt

from forewarn.builder import DocumentBuilder
from forewarn.document import Document, Metadata
from forewarn.readers.html import extract_blocks, parse_html
from forewarn.readers.text import decode, normalise_newlines

_MD = MarkdownIt("commonmark", {"html": False})


def read_markdown(data: bytes, source: str) -> Document:
    """Headings open chapters; emphasis and link markup disappear from the story text."""
    text = normalise_newlines(decode(data, source))
    rendered = _MD.render(text)
    builder = DocumentBuilder()
    extract_blocks(parse_html(f"<html><body>{rendered}</body></html>", source), builder)
    return builder.build(Metadata(source_format="markdown"), source)
