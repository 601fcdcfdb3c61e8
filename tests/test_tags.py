"""AO3 tags for authors: warnings, canonical tags, rating with reasons, and the tag audit."""

from __future__ import annotations

import json

import jsonschema
import pytest

import forewarn
from forewarn.ao3tags import suggest_tags, tag_categories
from forewarn.document import Metadata
from forewarn.render.markdown import content_notes
from forewarn.render.terminal import render_tags
from tests.conftest import EXAMPLE, FIXTURES, ROOT
from tests.helpers import run_cli
from tests.sample_report import build_document, plain, report_from, sample_document_report

GOLDEN = ROOT / "tests" / "golden"
TAGS_SCHEMA = json.loads((ROOT / "src/forewarn/schema/tags.schema.json").read_text())


@pytest.fixture(scope="module")
def sample():
    return suggest_tags(sample_document_report())


@pytest.fixture(scope="module")
def founding():
    return suggest_tags(forewarn.scan_file(EXAMPLE).documents[0])


def one_passage(category: str, severity: str, metadata: Metadata | None = None):
    doc = build_document([(None, ["It happened here."])], metadata or Metadata(), "x.txt")
    return suggest_tags(report_from(doc, [(category, "It", "happened", severity, 0.9)], [category]))


# -- acceptance on the founding story ------------------------------------------------------------
@pytest.mark.slow
def test_founding_story_tags(founding):
    tags = [s.tag for s in founding.additional_tags]
    assert {"Suicide Attempt", "Suicidal Thoughts", "Bullying"} <= set(tags)
    assert "Major Character Death" not in tags + founding.archive_warning_tags
    assert founding.audit is None  # a plain text file carries no author tags


# -- suggestions ---------------------------------------------------------------------------------
def test_tags_follow_severity_with_fallback():
    assert [s.tag for s in one_passage("self-harm", "implied").additional_tags] == [
        "Implied/Referenced Self-Harm"
    ]
    assert [s.tag for s in one_passage("self-harm", "graphic").additional_tags] == ["Self-Harm"]
    # death has tags for implied, mentioned and depicted; graphic falls back to depicted's.
    assert [s.tag for s in one_passage("death", "graphic").additional_tags] == ["Character Death"]


@pytest.mark.parametrize(
    ("category", "severity", "warning"),
    [
        ("death", "depicted", "Major Character Death"),
        ("violence", "graphic", "Graphic Depictions Of Violence"),
        ("sexual-assault", "depicted", "Rape/Non-Con"),
        ("violence", "depicted", "No Archive Warnings Apply"),
        ("death", "mentioned", "No Archive Warnings Apply"),
    ],
)
def test_archive_warnings(category, severity, warning):
    assert one_passage(category, severity).archive_warning_tags == [warning]


@pytest.mark.parametrize(
    ("category", "severity", "rating"),
    [
        ("strong-language", "depicted", "Teen And Up Audiences"),
        ("injury", "implied", "General Audiences"),
        ("violence", "graphic", "Mature"),
        ("war", "graphic", "Mature"),  # a rule on violence covers its children
        ("sexual-content", "depicted", "Mature"),
        ("sexual-content", "graphic", "Explicit"),
    ],
)
def test_rating(category, severity, rating):
    tags = one_passage(category, severity)
    assert tags.rating.tag == rating
    assert tags.rating.reasons  # every rating says why


def test_rating_without_warnings_is_general():
    doc = build_document([(None, ["Bread."])], Metadata(), "x.txt")
    tags = suggest_tags(report_from(doc, [], []))
    assert tags.rating.tag == "General Audiences"
    assert tags.rating.reasons == ["no content warnings found"]
    assert tags.archive_warning_tags == ["No Archive Warnings Apply"] and not tags.additional_tags


# -- reading the author's tags -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("tag", "categories"),
    [
        ("Suicide Attempt", ["suicide-attempt"]),
        ("suicide attempt", ["suicide-attempt"]),
        ("School Bullying", ["bullying"]),
        ("Past Suicide Attempt", ["suicide-attempt"]),
        ("Hurt/Comfort", ["injury"]),
        ("Major Character Death", ["suicide-completed", "death"]),
        ("No Character Death", []),
        ("Not Suicide", []),
        ("Fluff", []),
        ("No Archive Warnings Apply", []),
    ],
)
def test_tag_categories(tag, categories):
    assert tag_categories(tag) == categories


def test_audit_sorts_the_authors_tags(sample):
    audit = sample.audit
    assert audit is not None
    assert [(t.tag, t.found) for t in audit.confirmed] == [
        ("School Bullying", ["bullying"]),
        ("Self-Harm", ["self-harm"]),
    ]
    assert [u.warning.id for u in audit.untagged] == [
        "strong-language",
        "suicide-attempt",
        "suicidal-ideation",
        "death",
    ]
    attempt = next(u for u in audit.untagged if u.warning.id == "suicide-attempt")
    assert attempt.suggested_tag == "Suicide Attempt" and attempt.evidence
    # A mentioned death does not confirm the "Major Character Death" Archive Warning.
    assert [(t.tag, t.below_warning_level) for t in audit.not_found] == [
        ("Major Character Death", ["death (mentioned)"])
    ]
    assert [t.tag for t in audit.not_checked] == ["Eating Disorders"]
    assert audit.other == ["Grief"]
    assert audit.rating_note and "Teen And Up Audiences" in audit.rating_note


def test_audit_flags_missing_archive_warning():
    meta = Metadata(archive_warnings=["No Archive Warnings Apply"], rating="Mature")
    tags = one_passage("death", "depicted", meta)
    assert tags.audit is not None
    assert tags.audit.missing_archive_warnings == ["Major Character Death"]
    assert tags.audit.rating_note is None  # Mature is not lower than Teen And Up


def test_creator_chose_not_to_warn_is_respected():
    meta = Metadata(archive_warnings=["Creator Chose Not To Use Archive Warnings"])
    tags = one_passage("death", "depicted", meta)
    assert tags.audit is not None and tags.audit.missing_archive_warnings == []


# -- golden files --------------------------------------------------------------------------------
def test_golden_tags_text(sample):
    assert plain(render_tags(sample)) == (GOLDEN / "tags.txt").read_text()


def test_golden_tags_json(sample):
    data = sample.to_dict()
    jsonschema.validate(data, TAGS_SCHEMA)
    assert data == json.loads((GOLDEN / "tags.json").read_text())


def test_golden_tags_markdown(sample):
    assert content_notes(sample) == (GOLDEN / "tags.md").read_text()


# -- the command line ----------------------------------------------------------------------------
@pytest.mark.slow
def test_tags_cli_formats():
    md = run_cli("tags", "--format", "md", str(EXAMPLE))
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("**Content notes**\n")
    assert "- Suicide attempt (depicted): chapter 1" in md.stdout
    data = json.loads(run_cli("tags", "-f", "json", str(FIXTURES / "ao3_work.html")).stdout)
    jsonschema.validate(data, TAGS_SCHEMA)
    audit = data["audit"]
    assert audit["rating"] == "Teen And Up Audiences"
    assert "Grief" in audit["other_tags"]
    assert any(
        t["tag"] == "School Bullying" for t in audit["confirmed"] + audit["tagged_but_not_found"]
    )


def test_tags_and_content_notes_name_chapters_as_the_book_prints_them():
    """The tag reasons, their JSON and the Markdown content notes say "CHAPTER II — THE STORM"
    as the evidence does, not "chapter 2"."""
    from tests.sample_report import storm_report

    tags = suggest_tags(storm_report())
    text = " ".join(plain(render_tags(tags)).split())
    assert "violence (depicted) in CHAPTER II — THE STORM" in text
    assert "chapter 2" not in text
    reasons = [r for s in tags.to_dict()["additional_tags"] for r in s["reasons"]]
    assert reasons and all(r.endswith("in CHAPTER II — THE STORM") for r in reasons)
    notes = content_notes(tags)
    assert "- Violence (depicted): CHAPTER II — THE STORM\n" in notes
