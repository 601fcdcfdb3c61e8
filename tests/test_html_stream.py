"""The HTML reader without the tree (readers.html_stream) reads what the tree reader reads."""

from __future__ import annotations

import random

import pytest

from forewarn.document import Document
from forewarn.limits import Deadline
from forewarn.readers import _html_tree
from forewarn.readers.html_stream import NeedsTree, stream_blocks

#: Markup whose blocks hang on what the tree shows late: an inline wrapper around blocks,
#: headings holding blocks, tails between blocks, a title in the body, a second body.
CASES = [
    "<html lang='fr'><head><title> The <b>Title</b> </title></head><body><p>a</p> b <p>c</p>",
    "<body><span>one <p>two</p> three</span> four<div>five<p>six</p>seven</div>",
    "<body>lead <i>in</i><br>line<h2>Ch <p>1</p></h2><p>x</p><hr><h1></h1><p>y",
    "<body><title>not a chapter</title><script>no</script><p>a<br/>b</p>tail",
    "<body><div><div><span>deep</span><p>block</p></div> t </div><body><p>again</p>",
    "<html xml:lang='de'><body><ul><li>a<li>b</ul><table><tr><td>c</td></tr></table>",
    "<p>no html or body</p>text<h3>Heading</h3>after",
]
TAGS = "p div span b br hr h1 h2 h3 li ul td title script body html head section em".split()  # noqa: SIM905
TEXTS = ["a", " ", "  b c ", "\n", "Hello world.", "&amp;", "x&nbsp;y", "<!-- c -->", "&#1;"]


def _shown(doc: Document) -> tuple[object, ...]:
    """What a reader's document says: its text, paragraphs, chapters and metadata."""
    spans = list(zip(doc.paragraphs.starts.tolist(), doc.paragraphs.ends.tolist(), strict=True))
    chapters = [(c.start, c.end, c.title) for c in doc.chapters]
    return doc.text, spans, chapters, doc.metadata.to_dict()


def _both(markup: str) -> tuple[tuple[object, ...], tuple[object, ...]] | None:
    """The tree's reading and the stream's of ``markup``; None where the stream needs the tree."""
    data, deadline = markup.encode(), Deadline("t", 600)
    try:
        builder, metadata = stream_blocks(data, deadline)
    except NeedsTree:
        return None
    return _shown(_html_tree(data, "t", deadline)), _shown(builder.build(metadata, "t"))


@pytest.mark.parametrize("markup", CASES)
def test_the_stream_reads_what_the_tree_reads(markup: str) -> None:
    both = _both(markup)
    assert both is not None
    assert both[1] == both[0]


def test_random_markup_reads_the_same() -> None:
    rng = random.Random(15)
    for _ in range(300):
        parts = [
            rng.choice([f"<{rng.choice(TAGS)}>", f"</{rng.choice(TAGS)}>", rng.choice(TEXTS)])
            for _ in range(rng.randint(1, 40))
        ]
        both = _both("<html><body>" * rng.randint(0, 1) + "".join(parts))
        if both is not None:
            assert both[1] == both[0], "".join(parts)


@pytest.mark.parametrize(
    "markup",
    [
        "<html><body><div id='preface'><dl class='tags'></dl></div></body></html>",
        "<html><head><title>no body</title></head></html>",
        "<div>" * 300 + "deep",
    ],
)
def test_the_tree_reads_what_the_stream_cannot(markup: str) -> None:
    with pytest.raises(NeedsTree):
        stream_blocks(markup.encode(), None)
