"""Hand-made reports for golden files and unit tests: Findings placed by hand, then aggregated.

Built without the detectors, so golden files stay put while detection improves.
"""

from __future__ import annotations

from forewarn.builder import DocumentBuilder
from forewarn.document import Document, Metadata
from forewarn.findings import Finding
from forewarn.report import DocumentReport, Report, aggregate

#: The categories the sample's imaginary pipeline checks (eating disorders deliberately not).
CHECKED = [
    "suicide-attempt",
    "suicidal-ideation",
    "self-harm",
    "bullying",
    "death",
    "violence",
    "strong-language",
]

CHAPTERS = [
    (
        "The Roof",
        [
            "Mara counted the steps to the roof, the way she always did.",
            "The girls at school had written LOSER across her locker again.",
            "She pressed her nails into her wrist until the noise went away.",
            "Then she went back down for dinner.",
        ],
    ),
    (
        "Spring",
        [
            "Spring came, and with it a letter from Tobias.",
            "He wrote about the boats and the gulls and nothing else.",
            "Fuck the gulls, she wrote back, and laughed for the first time in weeks.",
        ],
    ),
    (
        "What the River Kept",
        [
            "Their grandmother had been dead for two years.",
            "On the bridge, Mara climbed over the railing and let go.",
            "Tobias caught her wrist.",
            "Afterwards she told the nurse she had wanted to die, and that she was sorry she "
            "tried.",
            "In the morning the river was only a river.",
        ],
    ),
]

#: (category, paragraph text fragment, words to highlight, severity, score)
FINDINGS = [
    ("bullying", "The girls at school", "written LOSER across her locker", "depicted", 0.9),
    ("self-harm", "She pressed her nails", "pressed her nails into her wrist", "implied", 0.6),
    ("strong-language", "Fuck the gulls", "Fuck", "depicted", 0.95),
    ("death", "Their grandmother", "had been dead", "mentioned", 0.7),
    ("suicide-attempt", "On the bridge", "climbed over the railing and let go", "depicted", 0.85),
    ("suicide-attempt", "Afterwards she told", "sorry she tried", "mentioned", 0.6),
    ("suicidal-ideation", "Afterwards she told", "wanted to die", "mentioned", 0.8),
    ("violence", "Tobias caught", "caught her wrist", "depicted", 0.2),
]

METADATA = dict(
    title="Salt & Lanterns",
    authors=["nightjar"],
    language="English",
    source_format="ao3-html",
    rating="General Audiences",
    archive_warnings=["Major Character Death"],
    fandoms=["Original Work"],
    characters=["Mara", "Tobias"],
    additional_tags=["School Bullying", "Self-Harm", "Grief", "Eating Disorders"],
    summary='Mara, a bridge, and a brother who says "no".',
    url="https://archiveofourown.org/works/1",
)


def build_document(
    chapters: list[tuple[str | None, list[str]]], metadata: Metadata, source: str
) -> Document:
    builder = DocumentBuilder()
    for title, paragraphs in chapters:
        builder.start_chapter(title)
        for p in paragraphs:
            builder.add_paragraph(p)
    return builder.build(metadata, source)


def finding(
    doc: Document, category: str, where: str, match: str, severity: str, score: float
) -> Finding:
    """A Finding on the paragraph starting with ``where``, highlighting ``match``."""
    para = next(p for p in doc.paragraphs if doc.text.startswith(where, p.start))
    ms = doc.text.index(match, para.start)
    return Finding(
        category, para.start, para.end, score, severity, "hand", ms, ms + len(match), ("test",)
    )


def report_from(doc: Document, findings: list[tuple], checked: list[str]) -> DocumentReport:
    doc.findings = [finding(doc, *f) for f in findings]
    present, scored = aggregate(doc, checked)
    return DocumentReport(doc.source, doc, present, scored)


def sample_document_report() -> DocumentReport:
    """The three-chapter AO3-style sample with its hand-placed findings."""
    doc = build_document(CHAPTERS, Metadata(**METADATA), "salt-and-lanterns.html")
    return report_from(doc, FINDINGS, CHECKED)


def sample_report() -> Report:
    return Report([sample_document_report()], mode="default", detectors=["hand"])


def plain(renderable: object, width: int = 80) -> str:
    """What Rich prints for ``renderable`` on a colourless terminal ``width`` columns wide."""
    import io

    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


#: A book whose headings carry its own numbers: forewarn's chapter 2 is "CHAPTER II — THE
#: STORM", and every front end must call it that, not "chapter 2".
STORM_TITLES = ["CHAPTER I", "CHAPTER II — THE STORM", "CHAPTER III", "CHAPTER IV", "CHAPTER V"]


def storm_report(chapters: list[int] | None = None) -> DocumentReport:
    """``STORM_TITLES``'s book with a stabbing in each of ``chapters`` (default: chapter 2)."""
    doc = build_document(
        [(t, [f"Quiet day {i}.", f"He stabbed the man {i}."]) for i, t in enumerate(STORM_TITLES)],
        Metadata(title="The Storm"),
        "storm.txt",
    )
    stabbings = [
        ("violence", f"He stabbed the man {n - 1}", "stabbed", "depicted", 0.9)
        for n in chapters or [2]
    ]
    return report_from(doc, stabbings, ["violence"])
