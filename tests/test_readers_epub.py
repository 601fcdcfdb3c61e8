"""EPUB reading: spine order, TOC titles, producer-specific metadata, and hostile archives."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from forewarn.document import Document
from forewarn.errors import InputError
from forewarn.limits import MB, Limits
from forewarn.readers import read_bytes, read_path
from forewarn.readers.epub import read_epub

FIXTURES = Path(__file__).parent / "fixtures"
DEFAULT = Limits()


def paragraphs(doc: Document, chapter: int | None = None) -> list[str]:
    return [doc.quote(p) for p in doc.paragraphs if chapter is None or p.chapter == chapter]


def chapters(doc: Document) -> list[tuple[int, str | None]]:
    return [(c.number, c.title) for c in doc.chapters]


# -- a minimal EPUB factory for hand-made and hostile books ------------------------------------
CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
</rootfiles></container>"""


def page(title: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>{title}</title></head><body>{body}</body></html>"
    )


def opf(
    hrefs: list[str], metadata: str = "<dc:title>Test Book</dc:title>", doctype: str = ""
) -> str:
    items = "".join(
        f'<item id="c{i}" href="{h}" media-type="application/xhtml+xml"/>'
        for i, h in enumerate(hrefs)
    )
    refs = "".join(f'<itemref idref="c{i}"/>' for i in range(len(hrefs)))
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}'
        '<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">'
        f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">{metadata}</metadata>'
        f"<manifest>{items}</manifest><spine>{refs}</spine></package>"
    )


STORY = {
    "OEBPS/one.xhtml": page("One", "<h1>The First</h1><p>It began with rain.</p>"),
    "OEBPS/two.xhtml": page("Two", "<h1>The Second</h1><p>It ended with sun.</p>"),
}


def make_epub(path: Path, files: dict[str, str | bytes], container: str | None = CONTAINER) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        if container is not None:
            zf.writestr("META-INF/container.xml", container)
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def story_epub(
    tmp_path: Path, extra: dict[str, str | bytes] | None = None, **opf_args: str
) -> Path:
    files: dict[str, str | bytes] = {
        **STORY,
        "OEBPS/content.opf": opf(["one.xhtml", "two.xhtml"], **opf_args),
    }
    return make_epub(tmp_path / "book.epub", files | (extra or {}))


# -- AO3 ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ao3() -> Document:
    return read_path(FIXTURES / "ao3_work.epub")


def test_ao3_epub_reads_the_preface_like_the_html_download(ao3: Document) -> None:
    html_doc = read_path(FIXTURES / "ao3_work.html")
    expected = html_doc.metadata.to_dict() | {"source_format": "ao3-epub"}
    assert ao3.metadata.to_dict() == expected
    assert ao3.metadata.rating == "Teen And Up Audiences"
    assert ao3.metadata.additional_tags[0] == "School Bullying"  # not the OPF's "Fanworks"
    assert ao3.metadata.summary is not None
    assert ao3.metadata.summary.endswith("what her little brother can carry.")


def test_ao3_epub_text_and_chapters_match_the_html_download(ao3: Document) -> None:
    html_doc = read_path(FIXTURES / "ao3_work.html")
    assert ao3.text == html_doc.text
    assert chapters(ao3) == [(1, "The Roof"), (2, "Chapter 2"), (3, "What the River Kept")]
    assert "Preface" not in ao3.text and "Afterword" not in ao3.text
    assert paragraphs(ao3, 1)[1].startswith("At school they had found her every day")


# -- FanFicFare --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fff() -> Document:
    return read_path(FIXTURES / "fanficfare.epub")


def test_fanficfare_title_page_metadata(fff: Document) -> None:
    m = fff.metadata
    assert m.source_format == "fanficfare-epub"
    assert (m.title, m.authors, m.language) == ("Black Ice", ["wintermute_writes"], "en")
    assert m.rating == "Mature"
    assert m.archive_warnings == ["Graphic Depictions Of Violence"]
    assert m.fandoms == ["Original Work"]
    assert m.categories == ["Gen"]
    assert m.characters == ["Dev Mistry", "Sana Mistry"]
    assert m.relationships == ["Dev Mistry & Sana Mistry"]
    assert m.additional_tags == ["Car Accidents", "Hospitals", "Siblings"]
    assert m.summary == "One icy road, two siblings, and the long week after."
    assert m.url == "https://archiveofourown.org/works/39012345"


def test_fanficfare_chapters_skip_title_toc_and_log_pages(fff: Document) -> None:
    assert chapters(fff) == [(1, "Chapter 1: Black Ice"), (2, "Chapter 2: Visiting Hours")]
    for boilerplate in (
        "Table of Contents",
        "Update Log",
        "Rating",
        "Packaged",
        "In-Progress",
        "wintermute_writes",
    ):
        assert boilerplate not in fff.text
    assert fff.text.startswith("The car left the road just after the bridge")


def test_fanficfare_subheading_inside_a_chapter_stays_text(fff: Document) -> None:
    assert paragraphs(fff, 2)[:2] == [
        "The hospital smelled of floor polish and burnt coffee.",
        "Tuesday",
    ]
    assert len(fff.chapters) == 2


def test_fanficfare_without_title_page_falls_back_to_category_genre_and_subjects(
    tmp_path: Path,
) -> None:
    with zipfile.ZipFile(FIXTURES / "fanficfare.epub") as zf:
        files = {n: zf.read(n) for n in zf.namelist() if n not in ("mimetype",)}
    title_page = files["OEBPS/title_page.xhtml"].decode()
    start, end = title_page.index("<b>Fandoms:"), title_page.index("</div>")
    files["OEBPS/title_page.xhtml"] = (title_page[:start] + title_page[end:]).encode()
    doc = read_epub(
        make_epub(tmp_path / "f.epub", files, container=None).read_bytes(), "f", DEFAULT
    )
    assert doc.metadata.fandoms == ["Original Work"]  # from "Category"
    assert doc.metadata.additional_tags == ["Angst", "Hurt/Comfort", "Gen"]  # from "Genre"


# -- Project Gutenberg -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gutenberg() -> Document:
    return read_path(FIXTURES / "gutenberg.epub")


def test_gutenberg_metadata(gutenberg: Document) -> None:
    m = gutenberg.metadata
    assert m.source_format == "gutenberg-epub"
    assert (m.title, m.language) == ("The Tinker's Lantern", "en")
    assert m.authors == ["Margaret Ellsworth Hale"]  # the illustrator is not an author
    assert m.url == "https://www.gutenberg.org/files/70001/70001-h/70001-h.htm"
    assert m.additional_tags == ["Tinkers -- Fiction", "Short stories"]


def test_gutenberg_boilerplate_title_page_and_contents_are_skipped(gutenberg: Document) -> None:
    for boilerplate in (
        "Project Gutenberg",
        "START OF",
        "END OF",
        "LICENSE",
        "royalties",
        "CONTENTS",
        "By Margaret",
        "Release date",
        "Begin Reading",
    ):
        assert boilerplate not in gutenberg.text
    assert gutenberg.text.startswith("The tinker came over the hill")
    assert gutenberg.text.endswith("THE END")


def test_gutenberg_chapters_from_nav_including_two_in_one_file(gutenberg: Document) -> None:
    assert chapters(gutenberg) == [
        (1, "CHAPTER I. THE ROAD OUT OF HARROWBY"),
        (2, "CHAPTER II. A FEVER IN THE MILL HOUSE"),
        (3, "CHAPTER III. THE LANTERN LIT AGAIN"),
    ]
    assert paragraphs(gutenberg, 2)[1].startswith("Towards dawn the fever broke.")
    assert paragraphs(gutenberg, 1)[1] == (
        "“Because it is not mine to light,” said he, when the children asked."
    )


# -- plain EPUB 2 with an NCX ------------------------------------------------------------------
@pytest.fixture(scope="module")
def epub2() -> Document:
    return read_path(FIXTURES / "epub2_ncx.epub")


def test_epub2_metadata_from_the_opf(epub2: Document) -> None:
    m = epub2.metadata
    assert m.source_format == "epub"
    assert (m.title, m.authors, m.language) == ("Orchard Weather", ["Alys Penrose"], "en-GB")
    assert m.summary == "A family, an orchard, and a river that will not stay put."
    assert m.additional_tags == ["Family", "Floods"]


def test_epub2_chapter_titles_come_from_the_ncx(epub2: Document) -> None:
    assert chapters(epub2) == [
        (1, "Chapter One: The Orchard"),
        (2, "Chapter Two: Waders"),
        (3, "Chapter Three: Blossom"),
    ]
    assert epub2.metadata.chapter_titles == [t for _, t in chapters(epub2)]
    assert "One" not in paragraphs(epub2) and "The Orchard" not in paragraphs(epub2)


def test_epub2_file_missing_from_the_ncx_continues_the_chapter(epub2: Document) -> None:
    assert paragraphs(epub2, 2) == [
        "Her father would not talk about selling. He walked the rows in his waders, counting "
        "trees.",
        "By November the water had gone down and left a line of grey silt on every trunk, "
        "exactly at the height of Nell's shoulder.",
    ]


def test_epub2_cover_and_non_linear_pages_are_skipped(epub2: Document) -> None:
    assert "Garamond" not in epub2.text
    assert epub2.text.startswith("Every autumn the Penhallow orchard flooded")


def test_epub2_declared_latin1_and_percent_encoded_href(epub2: Document) -> None:
    assert "made café au lait every morning" in paragraphs(epub2, 3)[0]


def _calibre_start_epub(tmp_path: Path, body: str) -> Path:
    """One XHTML file under an NCX whose single entry calibre labels "Start"."""
    package = opf(["text.xhtml"]).replace(
        "</manifest><spine>",
        '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        '</manifest><spine toc="ncx">',
    )
    ncx = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>'
        '<navPoint id="np1" playOrder="1"><navLabel><text>Start</text></navLabel>'
        '<content src="text.xhtml"/></navPoint></navMap></ncx>'
    )
    files: dict[str, str | bytes] = {
        "OEBPS/content.opf": package,
        "OEBPS/toc.ncx": ncx,
        "OEBPS/text.xhtml": page("The Orchard Wall", body),
    }
    return make_epub(tmp_path / "start.epub", files)


def test_a_converters_start_entry_is_not_a_chapter_title(tmp_path: Path) -> None:
    """calibre labels the one TOC entry of a book without contents "Start": the chapter takes
    the heading the book prints, or no title, never that invented word."""
    prose = "<p>The wall had stood for a hundred years, and it stood that winter too.</p>"
    headed = read_path(_calibre_start_epub(tmp_path, f"<h1>The Orchard Wall</h1>{prose}"))
    assert chapters(headed) == [(1, "The Orchard Wall")]
    assert paragraphs(headed) == [
        "The wall had stood for a hundred years, and it stood that winter too."
    ]
    bare = read_path(_calibre_start_epub(tmp_path, prose))
    assert chapters(bare) == [(1, None)]


def test_paragraph_spans_are_exact_in_every_fixture() -> None:
    for name in ("ao3_work.epub", "fanficfare.epub", "gutenberg.epub", "epub2_ncx.epub"):
        doc = read_path(FIXTURES / name)
        assert doc.paragraphs, name
        for p in doc.paragraphs:
            quoted = doc.text[p.start : p.end]
            assert quoted and quoted == quoted.strip() and "\n\n" not in quoted
            assert doc.chapter_at(p.start).number == p.chapter


# -- structure fallbacks -----------------------------------------------------------------------
def test_without_toc_each_file_is_a_chapter_titled_by_its_heading(tmp_path: Path) -> None:
    doc = read_path(story_epub(tmp_path))
    assert chapters(doc) == [(1, "The First"), (2, "The Second")]
    assert doc.text == "It began with rain.\n\nIt ended with sun."
    assert doc.metadata.title == "Test Book"


@pytest.mark.parametrize("reference", ["&#1;", "&#x0B;", "&#xFFFE;", "&#0;", "&#99999999999;"])
def test_character_references_to_control_characters_are_not_text(
    tmp_path: Path, reference: str
) -> None:
    """Found by fuzzing: "&#1;" after an element the reader drops (a nav) made lxml refuse to
    re-set the text around it (ValueError) instead of reading the page."""
    body = f"<h1>The First</h1><p>It began<nav>skip</nav>{reference} with rain.</p>"
    doc = read_path(story_epub(tmp_path, {"OEBPS/one.xhtml": page("One", body)}))
    first = paragraphs(doc, 1)[0]
    assert first.startswith("It began") and first.endswith("with rain.")
    assert not any(ord(c) < 0x20 and c not in "\n\t" for c in doc.text)


def test_epub3_nav_titles_win(tmp_path: Path) -> None:
    nav = page(
        "nav",
        '<nav epub:type="toc"><ol><li><a href="one.xhtml">Rain</a></li>'
        '<li><a href="two.xhtml#x">Sun</a></li></ol></nav>',
    )
    files = {
        **STORY,
        "OEBPS/nav.xhtml": nav,
        "OEBPS/content.opf": opf(["one.xhtml", "two.xhtml"]).replace(
            "</manifest>",
            '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
            "</manifest>",
        ),
    }
    doc = read_path(make_epub(tmp_path / "nav.epub", files))
    assert chapters(doc) == [(1, "Rain"), (2, "Sun")]


def test_missing_container_falls_back_to_the_opf(tmp_path: Path) -> None:
    files = {**STORY, "OEBPS/content.opf": opf(["one.xhtml", "two.xhtml"])}
    doc = read_path(make_epub(tmp_path / "nocontainer.epub", files, container=None))
    assert len(doc.chapters) == 2


def test_font_obfuscation_is_not_drm(tmp_path: Path) -> None:
    encryption = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        '<enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>'
        '<enc:CipherData><enc:CipherReference URI="OEBPS/font.otf"/></enc:CipherData>'
        "</enc:EncryptedData></encryption>"
    )
    doc = read_path(story_epub(tmp_path, {"META-INF/encryption.xml": encryption}))
    assert doc.text.startswith("It began with rain.")


# -- bad and hostile input ---------------------------------------------------------------------
def test_truncated_epub(tmp_path: Path) -> None:
    data = (FIXTURES / "fanficfare.epub").read_bytes()
    with pytest.raises(InputError, match=r"corrupt or truncated EPUB"):
        read_bytes(data[: len(data) // 2], "half.epub")


def test_corrupt_member_data(tmp_path: Path) -> None:
    data = bytearray(story_epub(tmp_path).read_bytes())
    at = data.index(b"one.xhtml") + 40  # inside the first member's compressed data
    data[at : at + 20] = b"\xff" * 20
    with pytest.raises(InputError, match=r"corrupt or truncated EPUB"):
        read_bytes(bytes(data), "damaged.epub")


def test_random_bytes_are_not_an_epub(tmp_path: Path) -> None:
    noise = os.urandom(4096)
    with pytest.raises(InputError, match=r"^noise\.epub: corrupt or truncated EPUB"):
        read_epub(noise, "noise.epub", DEFAULT)
    path = tmp_path / "noise.epub"
    path.write_bytes(noise)
    with pytest.raises(InputError):
        read_path(path)


def test_zip_that_is_not_an_epub(tmp_path: Path) -> None:
    path = make_epub(tmp_path / "notes.epub", {"notes.txt": "hello"}, container=None)
    with pytest.raises(InputError, match=r"not an EPUB \(no META-INF/container\.xml"):
        read_path(path)


def _bomb(path: Path, size: int, name: str = "OEBPS/one.xhtml") -> Path:
    """A story whose first chapter inflates to ``size`` bytes, written in 1 MB chunks."""
    make_epub(
        path,
        {
            "OEBPS/content.opf": opf(["one.xhtml", "two.xhtml"]),
            "OEBPS/two.xhtml": STORY["OEBPS/two.xhtml"],
        },
    )
    chunk = b" " * MB
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf, zf.open(name, "w") as member:
        for _ in range(size // MB):
            member.write(chunk)
    return path


@pytest.mark.slow
def test_zip_bomb_with_default_limit(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.epub", 300 * MB)
    assert path.stat().st_size < 2 * MB
    with pytest.raises(InputError, match=r"decompresses to more than 200 MB \(zip bomb\?\)"):
        read_path(path, DEFAULT)


def test_zip_bomb_with_small_limit(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.epub", 3 * MB)
    with pytest.raises(InputError, match=r"more than 1 MB \(zip bomb\?\)"):
        read_path(path, Limits(max_decompressed_bytes=1 * MB))


def test_decompression_budget_is_shared_by_all_members(tmp_path: Path) -> None:
    hrefs = [f"c{i}.xhtml" for i in range(6)]
    filler = "<p>" + "word " * 60_000 + "</p>"  # ~300 kB each, 1.8 MB in all
    files = {f"OEBPS/{h}": page(h, filler) for h in hrefs} | {"OEBPS/content.opf": opf(hrefs)}
    path = make_epub(tmp_path / "wide.epub", files)
    with pytest.raises(InputError, match="zip bomb"):
        read_path(path, Limits(max_decompressed_bytes=1 * MB))
    assert len(read_path(path).chapters) == 6


def test_too_many_members(tmp_path: Path) -> None:
    files = {f"OEBPS/img{i}.png": b"x" for i in range(20)}
    with pytest.raises(InputError, match=r"too many files \(25; the limit is 10\)"):
        read_path(story_epub(tmp_path, files), Limits(max_archive_members=10))


XXE = '<!DOCTYPE package [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(2, 10))
    + '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
)


def test_xxe_in_the_opf_is_refused(tmp_path: Path) -> None:
    path = story_epub(tmp_path, metadata="<dc:title>&xxe;</dc:title>", doctype=XXE)
    with pytest.raises(InputError, match=r"unsafe XML in OEBPS/content\.opf"):
        read_path(path)


def test_billion_laughs_in_the_opf_is_refused(tmp_path: Path) -> None:
    path = story_epub(tmp_path, metadata="<dc:title>&lol9;</dc:title>", doctype=LAUGHS)
    with pytest.raises(InputError, match="unsafe XML"):
        read_path(path)


def test_billion_laughs_in_container_is_refused(tmp_path: Path) -> None:
    container = CONTAINER.replace("<container", LAUGHS + "<container", 1).replace(
        "<rootfiles>", "<rootfiles>&lol9;"
    )
    files = {**STORY, "OEBPS/content.opf": opf(["one.xhtml", "two.xhtml"])}
    path = make_epub(tmp_path / "laughs.epub", files, container=container)
    with pytest.raises(InputError, match=r"unsafe XML in META-INF/container\.xml"):
        read_path(path)


def test_entities_in_content_documents_are_never_expanded(tmp_path: Path) -> None:
    hostile = (
        '<?xml version="1.0"?>\n'
        + LAUGHS.replace("lolz", "html")
        + XXE.replace("package", "x")
        + '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Safe &lol9; and &xxe;.</p>'
        "<p>Still here.</p></body></html>"
    )
    doc = read_path(story_epub(tmp_path, {"OEBPS/one.xhtml": hostile}))
    assert "lollol" not in doc.text and "root:" not in doc.text
    assert "Still here." in paragraphs(doc)


def test_malformed_opf(tmp_path: Path) -> None:
    files = {**STORY, "OEBPS/content.opf": "<package><metadata>"}
    with pytest.raises(InputError, match=r"malformed XML in OEBPS/content\.opf"):
        read_path(make_epub(tmp_path / "bad.epub", files))


def test_missing_spine_file_is_skipped_with_a_notice(tmp_path: Path) -> None:
    files = {**STORY, "OEBPS/content.opf": opf(["one.xhtml", "gone.xhtml", "two.xhtml"])}
    doc = read_path(make_epub(tmp_path / "gap.epub", files))
    assert doc.text == "It began with rain.\n\nIt ended with sun."
    assert doc.notices == ["spine entry 'gone.xhtml' is missing from the EPUB; skipped"]


def test_all_spine_files_missing(tmp_path: Path) -> None:
    files = {"OEBPS/content.opf": opf(["gone.xhtml", "lost.xhtml"])}
    with pytest.raises(InputError, match=r"EPUB has no readable chapters"):
        read_path(make_epub(tmp_path / "empty.epub", files))


@pytest.mark.parametrize(
    "href", ["../../etc/passwd", "/etc/passwd", "..%2F..%2Fetc%2Fpasswd", "file:///etc/passwd"]
)
def test_hrefs_never_leave_the_archive(tmp_path: Path, href: str) -> None:
    files = {
        **STORY,
        "OEBPS/content.opf": opf(["one.xhtml", href]),
        "etc/passwd": "root:x:0:0:root:/root:/bin/bash",
    }
    doc = read_path(make_epub(tmp_path / "slip.epub", files))
    assert "root:x" not in doc.text
    assert doc.text == "It began with rain."
    assert doc.notices == [f"spine entry '{href}' points outside the EPUB; skipped"]


def test_only_escaping_hrefs_means_no_readable_chapters(tmp_path: Path) -> None:
    files = {"OEBPS/content.opf": opf(["../../etc/passwd"]), "../../etc/passwd": "root:x:0:0"}
    with pytest.raises(InputError, match="EPUB has no readable chapters"):
        read_path(make_epub(tmp_path / "slip.epub", files))


def test_drm_encrypted_epub_is_refused(tmp_path: Path) -> None:
    encryption = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
        '<enc:CipherData><enc:CipherReference URI="OEBPS/one.xhtml"/></enc:CipherData>'
        "</enc:EncryptedData></encryption>"
    )
    path = story_epub(tmp_path, {"META-INF/encryption.xml": encryption})
    with pytest.raises(InputError, match=r"^.*book\.epub: EPUB is DRM-encrypted"):
        read_path(path)


def test_zip_bomb_in_the_nav_document_is_not_ignored(tmp_path: Path) -> None:
    manifest_nav = (
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
    )
    files = {
        **STORY,
        "OEBPS/content.opf": opf(["one.xhtml", "two.xhtml"]).replace(
            "</manifest>", manifest_nav + "</manifest>"
        ),
    }
    path = make_epub(tmp_path / "navbomb.epub", files)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("OEBPS/nav.xhtml", b" " * (3 * MB))
    with pytest.raises(InputError, match="zip bomb"):
        read_path(path, Limits(max_decompressed_bytes=1 * MB))


def test_citing_gutenberg_as_a_source_is_not_a_gutenberg_book(tmp_path: Path) -> None:
    metadata = (
        "<dc:title>Test Book</dc:title><dc:source>https://www.gutenberg.org/ebooks/1342</dc:source>"
    )
    doc = read_path(story_epub(tmp_path, metadata=metadata))
    assert doc.metadata.source_format == "epub"
    assert doc.metadata.url == "https://www.gutenberg.org/ebooks/1342"


def test_unreferenced_bomb_member_is_refused_up_front(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.epub", 3 * MB, name="OEBPS/unused.bin")
    with pytest.raises(InputError, match="zip bomb"):
        read_path(path, Limits(max_decompressed_bytes=1 * MB))
