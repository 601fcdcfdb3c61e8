"""forewarn: content warnings for fiction, with the passages that justify them."""

from forewarn.document import Chapter, Document, Metadata, Paragraph, Span
from forewarn.errors import InputError
from forewarn.report import ContentWarning, DocumentReport, Evidence, Report
from forewarn.scanner import ScanFailure, Scanner, scan, scan_document, scan_file, scan_text
from forewarn.taxonomy import load_taxonomy
from forewarn.version import __version__

__all__ = [
    "Chapter",
    "ContentWarning",
    "Document",
    "DocumentReport",
    "Evidence",
    "InputError",
    "Metadata",
    "Paragraph",
    "Report",
    "ScanFailure",
    "Scanner",
    "Span",
    "load_taxonomy",
    "scan",
    "scan_document",
    "scan_file",
    "scan_text",
    "__version__",
]
