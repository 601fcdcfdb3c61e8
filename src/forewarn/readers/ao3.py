"""AO3 downloads: the preface's tag list, summary and notes become metadata; only chapters are text.

The markup follows otwarchive's ``app/views/downloads`` templates (``#preface``, ``#chapters``,
``#afterword``). AO3's EPUBs are calibre splits of that same HTML, so the EPUB reader calls
:func:`extract_work` on each of its files.
"""

from __future__ import annotations

from lxml import html

from forewarn.builder import DocumentBuilder
from forewarn.document import Document, Metadata
from forewarn.readers.html import extract_blocks, text_of

#: ``dt`` labels of the preface's ``dl.tags`` (singular and plural) -> Metadata field.
AO3_LABELS = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "archive_warnings",
    "archive warnings": "archive_warnings",
    "warning": "archive_warnings",
    "warnings": "archive_warnings",
    "category": "categories",
    "categories": "categories",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "relationship": "relationships",
    "relationships": "relationships",
    "character": "characters",
    "characters": "characters",
    "additional tag": "additional_tags",
    "additional tags": "additional_tags",
    "freeform": "additional_tags",
    "freeforms": "additional_tags",
    "language": "language",
}
_SCALAR_FIELDS = {"rating", "language", "summary", "title", "url"}


def label_key(label: str) -> str:
    """``"Archive Warnings:"`` -> ``"archive warnings"``."""
    return " ".join(label.strip().rstrip(":").split()).lower()


def assign_field(metadata: Metadata, field: str, values: list[str]) -> None:
    """Store tag ``values`` in ``metadata.field``: joined for one-value fields, else as a list."""
    values = [v for v in (" ".join(v.split()) for v in values) if v]
    if not values:
        return
    if field in _SCALAR_FIELDS:
        setattr(metadata, field, ", ".join(values))
    else:
        setattr(metadata, field, values)


def element_text(el: html.HtmlElement) -> str:
    """An element's text as paragraphs separated by blank lines (for summaries and notes)."""
    builder = DocumentBuilder()
    extract_blocks(el, builder, headings_as_chapters=False)
    return builder.build(Metadata(), "").text


def _classes(el: html.HtmlElement) -> list[str]:
    return (el.get("class") or "").split()


def _has_class_prefix(el: html.HtmlElement, prefix: str) -> bool:
    return any(c.startswith(prefix) for c in _classes(el))


# -- recognising the template ------------------------------------------------------------------
def tags_list(root: html.HtmlElement) -> html.HtmlElement | None:
    """The preface's metadata ``dl`` (class "tags", or ``dt`` labels AO3 uses), if any."""
    for dl in root.xpath('//*[@id="preface"]//dl'):
        if "tags" in _classes(dl) or any(
            label_key(text_of(dt)) in AO3_LABELS for dt in dl.iterchildren("dt")
        ):
            return dl
    return None


def is_ao3_html(root: html.HtmlElement) -> bool:
    """AO3's download template has a ``#preface`` holding a ``dl.tags`` metadata list."""
    return tags_list(root) is not None


# -- metadata ----------------------------------------------------------------------------------
def _tag_values(dd: html.HtmlElement) -> list[str]:
    links = [text_of(a) for a in dd.iter("a")]
    return links if links else text_of(dd).split(", ")


def parse_tags(dl: html.HtmlElement, metadata: Metadata) -> None:
    """Rating, warnings, categories, fandoms, relationships, characters, tags and language."""
    for dt in dl.iterchildren("dt"):
        dd = dt.getnext()
        field = AO3_LABELS.get(label_key(text_of(dt)))
        if field and dd is not None and dd.tag == "dd":
            assign_field(metadata, field, _tag_values(dd))


def _authors(byline: html.HtmlElement) -> list[str]:
    links = [a for a in byline.iter("a")]
    authors = [text_of(a) for a in links if a.get("rel") == "author"] or [text_of(a) for a in links]
    if authors:
        return authors
    text = text_of(byline)
    return [text[3:].strip()] if text.lower().startswith("by ") else [text]


def _labelled_blockquotes(container: html.HtmlElement) -> list[tuple[str, str]]:
    """``(label, text)`` for each blockquote, labelled by the ``<p>`` just before it."""
    found = []
    for quote in container.xpath(".//blockquote[not(ancestor::blockquote)]"):
        label_el = quote.getprevious()
        while label_el is not None and label_el.tag == "blockquote":
            label_el = label_el.getprevious()
        label = text_of(label_el) if label_el is not None and label_el.tag == "p" else ""
        if text := element_text(quote):
            found.append((label_key(label), text))
    return found


def _collect_notes(container: html.HtmlElement, metadata: Metadata) -> None:
    for label, text in _labelled_blockquotes(container):
        if label == "summary":  # the work's summary; chapters' are "chapter summary"
            metadata.summary = text
        else:
            metadata.notes.append(text)


def parse_preface(preface: html.HtmlElement, metadata: Metadata) -> None:
    """Title, authors, work URL, tags, summary and beginning notes from AO3's ``#preface``."""
    if (dl := tags_list(preface)) is not None:
        parse_tags(dl, metadata)
    title = preface.find(".//h1")
    if title is None:
        title = preface.find('.//p[@class="message"]/b')
    if title is not None and text_of(title):
        metadata.title = text_of(title)
    byline = next((d for d in preface.iter("div") if "byline" in _classes(d)), None)
    if byline is not None and (authors := _authors(byline)):
        metadata.authors = authors
    for link in preface.iter("a"):
        if "/works/" in (link.get("href") or ""):
            metadata.url = link.get("href")
            break
    _collect_notes(preface, metadata)


# -- chapters ----------------------------------------------------------------------------------
def _is_chapter_meta(el: html.HtmlElement) -> bool:
    """A chapter's ``div.meta.group`` (heading, chapter summary and notes), not its text."""
    if el.tag != "div" or _has_class_prefix(el, "userstuff"):
        return False
    return _has_class_prefix(el, "meta") or el.find("h2") is not None


def extract_chapters(
    chapters: html.HtmlElement, builder: DocumentBuilder, metadata: Metadata
) -> None:
    """Each chapter's ``h2`` opens a chapter; its ``userstuff`` is text; its notes are metadata."""
    if chapters.text and chapters.text.strip():
        builder.add_paragraph(chapters.text)
    for child in chapters:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "h2":  # a one-chapter work's heading: the work title
            builder.start_chapter(text_of(child))
        elif _is_chapter_meta(child):
            heading = child.find("h2")
            if heading is not None:
                builder.start_chapter(text_of(heading))
            _collect_notes(child, metadata)
        elif (child.get("id") or "").startswith("endnotes"):
            _collect_notes(child, metadata)
        else:
            extract_blocks(child, builder, headings_as_chapters=False)
        if child.tail and child.tail.strip():
            builder.add_paragraph(child.tail)


def _section(root: html.HtmlElement, section_id: str) -> html.HtmlElement | None:
    found = root.xpath(f'//*[@id="{section_id}"]')
    return found[0] if found else None


def extract_work(root: html.HtmlElement, builder: DocumentBuilder, metadata: Metadata) -> bool:
    """Read whichever of preface, chapters and afterword ``root`` holds; False if none."""
    preface = _section(root, "preface")
    chapters = _section(root, "chapters")
    afterword = _section(root, "afterword")
    if preface is not None:
        parse_preface(preface, metadata)
    if chapters is not None:
        extract_chapters(chapters, builder, metadata)
    if afterword is not None:
        _collect_notes(afterword, metadata)
    return any(s is not None for s in (preface, chapters, afterword))


def read_ao3_html(root: html.HtmlElement, source: str) -> Document:
    """An AO3 HTML download: chapters' text only, everything else as metadata."""
    metadata = Metadata(source_format="ao3-html")
    builder = DocumentBuilder()
    extract_work(root, builder, metadata)
    if metadata.title is None and (title := root.find(".//title")) is not None:
        metadata.title = title.text_content().strip() or None
    return builder.build(metadata, source)
