"""Reader verdicts: avoid-lists with shorthands and thresholds, skip ranges, safe chapters, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from forewarn.document import Metadata
from forewarn.profile import AvoidList, parse_avoid
from forewarn.render.terminal import render_verdict
from forewarn.verdict import CAVEAT, category_label, check_to_dict, verdict_for
from tests.conftest import EXAMPLE, ROOT
from tests.helpers import run_cli
from tests.sample_report import (
    CHECKED,
    build_document,
    plain,
    report_from,
    sample_document_report,
)

GOLDEN = ROOT / "tests" / "golden"
CHECK_SCHEMA = json.loads((ROOT / "src/forewarn/schema/check.schema.json").read_text())


@pytest.fixture(scope="module")
def sample():
    return sample_document_report()


def _verdict(sample, spec: str):
    return verdict_for(sample, parse_avoid(spec))


def test_summary_names_category_intensity_and_chapter(sample):
    v = _verdict(sample, "suicide,self-harm")
    assert not v.safe
    assert v.summary() == (
        "contains: suicide (attempt, depicted) in chapter 3 “What the River Kept”; "
        "suicidal ideation (mentioned) in chapter 3 “What the River Kept”; "
        "self-harm (implied) in chapter 1 “The Roof”"
    )


def test_parent_is_a_shorthand_for_its_children(sample):
    hits = {h.warning.id: h.rule for h in _verdict(sample, "suicide").hits}
    assert hits == {"suicide-attempt": "suicide", "suicidal-ideation": "suicide"}


def test_skip_ranges_and_safe_chapters(sample):
    v = _verdict(sample, "suicide,self-harm")
    skips = {s.chapter: (s.paragraphs, s.categories) for s in v.skips()}
    assert skips == {
        1: ([(3, 3)], ["self-harm"]),
        3: ([(2, 2), (4, 4)], ["suicide-attempt", "suicidal-ideation"]),
    }
    assert v.safe_chapters() == [2]


def test_severity_threshold_allows_milder_content(sample):
    assert _verdict(sample, "death:depicted").safe
    assert _verdict(sample, "death").summary() == (
        "contains: death (mentioned) in chapter 3 “What the River Kept”"
    )
    # Only the depicted passage of the attempt reaches the threshold: paragraph 4 is not flagged.
    v = _verdict(sample, "suicide-attempt:depicted")
    assert [(s.chapter, s.paragraphs) for s in v.skips()] == [(3, [(2, 2)])]


def test_child_rule_overrides_parent_rule(sample):
    avoid = AvoidList({"suicide": "implied", "suicide-attempt": "graphic"})
    assert [h.warning.id for h in verdict_for(sample, avoid).hits] == ["suicidal-ideation"]


def test_category_not_in_story_is_no_warning_found_with_a_caveat(sample):
    v = _verdict(sample, "bullying:graphic,eating-disorder")
    assert v.safe and v.safe_chapters() == [1, 2, 3]
    assert v.summary() == "no warning found for bullying (graphic+), eating-disorder (any)"
    assert v.not_assessed == ["eating-disorder"]  # the sample's pipeline has no detector for it
    shown = plain(render_verdict(v))
    assert CAVEAT in shown and "could not assess: eating disorders" in shown
    assert "safe\n" not in shown


def test_sexual_content_shorthand_reaches_sexual_assault():
    doc = build_document(
        [(None, ["They were strangers.", "He forced himself on her in the dark."])],
        Metadata(),
        "t.txt",
    )
    report = report_from(
        doc,
        [("sexual-assault", "He forced", "forced himself on her", "depicted", 0.9)],
        ["sexual-assault"],
    )
    v = verdict_for(report, parse_avoid("sexual-content"))
    assert v.summary() == "contains: sexual assault (depicted) in chapter 1"
    assert v.hits[0].rule == "sexual-content"


def test_summary_and_skip_lines_name_a_chapter_alike():
    """A book whose headings number its chapters as forewarn counts them: the summary names
    "CHAPTER II — THE STORM" as its skip line does, not "chapter 2"; a run of safe chapters
    is the first to the last."""
    titles = ["CHAPTER I", "CHAPTER II — THE STORM", "CHAPTER III", "CHAPTER IV", "CHAPTER V"]
    doc = build_document(
        [(t, [f"Quiet day {i}.", f"He stabbed the man {i}."]) for i, t in enumerate(titles)],
        Metadata(),
        "storm.txt",
    )
    report = report_from(
        doc, [("violence", "He stabbed the man 1", "stabbed", "depicted", 0.9)], ["violence"]
    )
    v = verdict_for(report, parse_avoid("violence"))
    assert v.summary() == "contains: violence (depicted) in CHAPTER II — THE STORM"
    shown = " ".join(plain(render_verdict(v)).split())
    assert "skip CHAPTER II — THE STORM (" in shown
    assert "nothing you avoid found in CHAPTER I, CHAPTER III to CHAPTER V" in shown
    assert "chapter 2" not in shown


def test_every_passage_is_listed_and_skipped():
    n = 30
    paragraphs = [f"Fuck number {i}." for i in range(n)]
    doc = build_document([("One", paragraphs[:20]), ("Two", paragraphs[20:])], Metadata(), "x")
    findings = [("strong-language", p, "Fuck", "depicted", 0.9) for p in paragraphs]
    report = report_from(doc, findings, CHECKED)
    w = report.warnings[0]
    assert len(w.evidence) == w.evidence_total == n  # no cap: renderers choose what to show
    v = verdict_for(report, parse_avoid("strong-language"))
    assert [(s.chapter, s.paragraphs) for s in v.skips()] == [(1, [(1, 20)]), (2, [(1, 10)])]
    assert v.safe_chapters() == []


def test_story_the_detectors_could_not_read_is_never_safe():
    doc = build_document([(None, ["Il était une fois."])], Metadata(), "fr.txt")
    doc.language_supported = False
    doc.notices.append("the text is not English")
    v = verdict_for(report_from(doc, [], CHECKED), parse_avoid("suicide"))
    assert not v.safe and not v.checked
    assert v.summary() == "not checked: the text is not English"
    assert "not checked" in plain(render_verdict(v)) and "safe\n" not in plain(render_verdict(v))


def test_category_label_reads_children_as_qualifiers():
    assert category_label("suicide-attempt", "depicted") == "suicide (attempt, depicted)"
    assert category_label("suicide-completed", "implied") == "suicide (death, implied)"
    assert category_label("self-harm", "implied") == "self-harm (implied)"


def test_json_is_spoiler_free_unless_asked(sample):
    v = _verdict(sample, "suicide,self-harm")
    plain_json = json.dumps(check_to_dict(v.avoid, [v]))
    quotes = [e.quote for w in sample.warnings for e in w.evidence]
    assert not any(q in plain_json for q in quotes)
    assert '"quote"' not in plain_json
    spoiled = check_to_dict(v.avoid, [v], spoilers=True)
    jsonschema.validate(spoiled, CHECK_SCHEMA)
    shown = [e["quote"] for h in spoiled["verdicts"][0]["hits"] for e in h["evidence"]]
    assert "On the bridge, Mara climbed over the railing and let go." in shown


# -- golden files (written once from tests/sample_report.py, reviewed by reading) ---------------
def test_golden_check_text(sample):
    v = _verdict(sample, "suicide,self-harm")
    assert plain(render_verdict(v)) == (GOLDEN / "check.txt").read_text()
    assert plain(render_verdict(v, spoilers=True)) == (GOLDEN / "check-spoilers.txt").read_text()


def test_golden_check_json(sample):
    v = _verdict(sample, "suicide,self-harm")
    data = check_to_dict(v.avoid, [v])
    jsonschema.validate(data, CHECK_SCHEMA)
    assert data == json.loads((GOLDEN / "check.json").read_text())


def test_text_output_fits_80_columns(sample):
    v = _verdict(sample, "suicide,self-harm")
    assert max(len(line) for line in plain(render_verdict(v, True)).splitlines()) <= 80


# -- the command line, on the founding story -----------------------------------------------------
def _founding_quotes() -> list[str]:
    data = json.loads(run_cli("scan", "--format", "json", str(EXAMPLE)).stdout)
    return [e["quote"] for w in data["documents"][0]["warnings"] for e in w["evidence"]]


@pytest.mark.slow
def test_check_founding_story_is_not_safe_and_quotes_nothing():
    result = run_cli("check", str(EXAMPLE), "--avoid", "suicide")
    assert result.returncode == 3, result.stderr
    said = " ".join(result.stdout.split())  # the terminal wraps lines anywhere
    assert "contains: " in said and "suicide (attempt, depicted)" in said
    for quote in _founding_quotes():
        # Any stretch of a quote would be a spoiler; 25 characters cannot occur by chance.
        assert quote[:25] not in result.stdout and quote[-25:] not in result.stdout
    spoiled = run_cli("check", str(EXAMPLE), "--avoid", "suicide", "--spoilers")
    assert spoiled.returncode == 3
    assert "letting gravity" in spoiled.stdout or "anything to stay for" in spoiled.stdout


@pytest.mark.slow
def test_check_json_validates_and_exit_code_follows_verdict(tmp_path):
    safe = tmp_path / "safe.txt"
    safe.write_text("They baked bread all morning and ate it warm with butter.")
    result = run_cli("check", "-f", "json", "--avoid", "suicide", str(safe))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, CHECK_SCHEMA)
    verdict = data["verdicts"][0]
    assert verdict["safe"] and verdict["summary"] == "no warning found for suicide (any)"
    assert verdict["caveat"] == CAVEAT and verdict["not_assessed"] == []


@pytest.mark.slow
def test_check_text_never_says_a_bare_safe(tmp_path):
    story = tmp_path / "bread.txt"
    story.write_text("They baked bread all morning and ate it warm with butter.")
    result = run_cli("check", "--avoid", "suicide,violence:graphic", str(story))
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "no warning found for suicide (any), violence (graphic+)" in lines
    assert CAVEAT in lines and "safe" not in lines


SPANISH_36 = (
    "La niña subió al tejado de la casa y miró el mar. No quería volver, pero su madre la "
    "esperaba con la cena. Se sentó en el borde y pensó en todo lo que había pasado."
)


@pytest.mark.slow
def test_short_spanish_story_is_named_and_gets_no_verdict(tmp_path):
    assert len(SPANISH_36.split()) == 36
    story = tmp_path / "cuento.txt"
    story.write_text(SPANISH_36)
    result = run_cli("check", "--avoid", "suicide", str(story))
    assert result.returncode == 1
    assert "forewarn reads English; this text looks like Spanish" in result.stderr
    assert "not checked" in result.stdout and "no warning found" not in result.stdout
    data = json.loads(run_cli("check", "-f", "json", "--avoid", "suicide", str(story)).stdout)
    verdict = data["verdicts"][0]
    assert not verdict["checked"] and not verdict["safe"]
    assert "looks like Spanish" in verdict["summary"]
    scanned = run_cli("scan", str(story))
    assert "looks like Spanish" in scanned.stdout and "No warning found" not in scanned.stdout


@pytest.mark.slow
def test_unknown_category_is_a_usage_error_with_suggestion():
    result = run_cli("check", str(EXAMPLE), "--avoid", "suicde,self-harm")
    assert result.returncode == 2
    assert "unknown category 'suicde'" in result.stderr and "'suicide'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not result.stdout


@pytest.mark.slow
def test_check_uses_the_profile_when_no_avoid_is_given(tmp_path: Path):
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    empty = run_cli("check", str(EXAMPLE), env=env)
    assert empty.returncode == 2 and "nothing to avoid" in empty.stderr
    assert run_cli("profile", "set", "suicide", env=env).returncode == 0
    result = run_cli("check", str(EXAMPLE), env=env)
    assert result.returncode == 3 and "avoiding suicide (any)" in result.stdout


@pytest.mark.slow
def test_check_missing_file_is_input_error(tmp_path):
    result = run_cli("check", str(tmp_path / "nope.txt"), "--avoid", "suicide")
    assert result.returncode == 1
    assert "nope.txt" in result.stderr and "Traceback" not in result.stderr


def test_check_json_names_chapters_as_its_skip_lines_do():
    """Each hit's where and the verdict's safe_where (what the web page shows) name chapters as
    the skip's where does."""
    from tests.sample_report import storm_report

    v = verdict_for(storm_report(), parse_avoid("violence"))
    data = check_to_dict(v.avoid, [v])
    jsonschema.validate(data, CHECK_SCHEMA)
    (verdict,) = data["verdicts"]
    assert verdict["hits"][0]["where"] == "CHAPTER II — THE STORM"
    assert verdict["skip"][0]["where"].startswith("CHAPTER II — THE STORM (")
    assert verdict["safe_where"] == "CHAPTER I, CHAPTER III to CHAPTER V"
    assert verdict["safe_chapters"] == [1, 3, 4, 5]
