"""A story given as a Python string: held to the file size limit, refused when empty, never
sniffed (text is always text, never a path or markup)."""

from __future__ import annotations

import hashlib

from forewarn.document import Document
from forewarn.errors import InputError
from forewarn.jsonl import too_large
from forewarn.language import annotate_language
from forewarn.limits import Deadline, Limits
from forewarn.readers.text import document_from_text, normalise_newlines


def check_text_size(text: str, source: str, limits: Limits | None = None) -> None:
    """Raise InputError if ``text`` is over the input size limit: a text given inline obeys
    the limit a file does (its UTF-8 bytes are counted)."""
    limit = (limits or Limits.from_env()).max_input_bytes
    if len(text) * 4 > limit and (size := len(text.encode("utf-8", "surrogatepass"))) > limit:
        raise InputError(source, too_large("text", size, limit))


def text_document(text: str, source: str = "<text>", limits: Limits | None = None) -> Document:
    """A Document from a Python string, exactly as the plain-text reader would build it."""
    deadline = Deadline.start(source, limits or Limits.from_env())
    doc = document_from_text(normalise_newlines(text.lstrip("\ufeff")), source)
    doc.sha256 = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    doc.deadline = deadline
    annotate_language(doc)
    return doc


def read_str(text: str, source: str = "<text>", limits: Limits | None = None) -> Document:
    """The Document of a story given as text; InputError if it is too large or empty."""
    check_text_size(text, source, limits)
    if not text.strip():
        raise InputError(source, "empty text")
    return text_document(text, source, limits)
