"""forewarn: content warnings for fiction, with the passages that justify them."""

from forewarn.document import Chapter, Document, Metadata, Paragraph, Span
from forewarn.errors import InputError
from forewarn.report import DocumentReport, Evidence, Report, Warning
from forewarn.scanner import scan, scan_document, scan_file, scan_text
from forewarn.taxonomy import load_taxonomy

__version__ = "0.1.0"

__all__ = [
    "Chapter",
    "Document",
    "DocumentReport",
    "Evidence",
    "InputError",
    "Metadata",
    "Paragraph",
    "Report",
    "Span",
    "Warning",
    "load_taxonomy",
    "scan",
    "scan_document",
    "scan_file",
    "scan_text",
]
