"""The taxonomy covers the published label sets and the ids the project promises."""

from __future__ import annotations

import json
import re
from pathlib import Path

from forewarn.taxonomy import load_taxonomy

SHARED = Path(__file__).resolve().parents[2] / "shared" / "taxonomy"
REQUIRED = [
    "suicide",
    "suicidal-ideation",
    "suicide-attempt",
    "suicide-completed",
    "self-harm",
    "death",
    "violence",
    "war",
    "kidnapping",
    "sexual-content",
    "sexual-assault",
    "incest",
    "child-abuse",
    "domestic-abuse",
    "bullying",
    "strong-language",
    "racism",
    "antisemitism",
    "homophobia",
    "transphobia",
    "misogyny",
    "ableism",
    "mental-illness",
    "addiction",
    "eating-disorder",
    "blood-gore",
    "injury",
    "torture",
    "animal-cruelty",
    "animal-death",
    "pregnancy",
    "childbirth",
    "miscarriage",
    "abortion",
]
PAN23 = [
    "pornographic-content",
    "violence",
    "death",
    "sexual-assault",
    "abuse",
    "blood",
    "suicide",
    "pregnancy",
    "child-abuse",
    "incest",
    "underage",
    "homophobia",
    "self-harm",
    "dying",
    "kidnapping",
    "mental-illness",
    "dissection",
    "eating-disorders",
    "abduction",
    "body-hatred",
    "childbirth",
    "racism",
    "sexism",
    "miscarriages",
    "transphobia",
    "abortion",
    "fat-phobia",
    "animal-death",
    "ableism",
    "classism",
    "misogyny",
    "animal-cruelty",
]
WEBIS_PASSAGES = [
    "violence",
    "war",
    "death",
    "abduction",
    "racism",
    "homophobia",
    "misogyny",
    "ableism",
]
WEBIS_FINE = [
    "homophobia",
    "transphobia",
    "classism",
    "sexism",
    "racism",
    "religious-discrimination",
    "ableism",
    "body-shaming",
    "other-discrimination",
    "violence",
    "kidnapping",
    "death",
    "collective-violence",
    "other-aggression",
    "abuse",
    "sexual-abuse",
    "child-abuse",
    "animal-abuse",
    "abusive-language",
    "other-abuse",
    "miscarriage",
    "abortion",
    "childbirth",
    "other-pregnancy",
    "blood-gore",
    "procedures",
    "other-medical",
    "dysmorphia",
    "self-harm",
    "suicide",
    "mental-illness",
    "addiction",
    "other-mental-health",
    "pornography",
    "incest",
    "other-sexual",
]


def _covered(alias_set: str) -> set[str]:
    return {a for c in load_taxonomy() for a in c.aliases[alias_set]}


def test_required_ids_and_format():
    tax = load_taxonomy()
    assert set(REQUIRED) <= set(tax.ids())
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c.id) for c in tax)
    assert len(tax.ids()) == len(set(tax.ids()))
    assert {c.id for c in tax.children("suicide")} == {
        "suicidal-ideation",
        "suicide-attempt",
        "suicide-completed",
    }


def test_parents_exist_and_have_no_cycles():
    tax = load_taxonomy()
    for c in tax:
        assert c.parent is None or c.parent in tax
        assert c.id not in tax.ancestors(c.id)
        assert all(a in tax for a in c.also_avoids)


def test_every_published_label_has_a_home():
    assert set(PAN23) <= _covered("pan23")
    assert set(WEBIS_PASSAGES) <= _covered("webis_passages")
    fine = SHARED / "webis-acl23" / "tw-fine-open.json"
    webis = json.loads(fine.read_text()) if fine.exists() else WEBIS_FINE
    assert set(webis) <= _covered("webis")


def test_shorthands_reach_across_branches():
    tax = load_taxonomy()
    assert {"suicidal-ideation", "suicide-attempt", "suicide-completed"} <= tax.expand("suicide")
    assert "sexual-assault" in tax.expand("sexual-content")


def test_ao3_tags_use_known_severities():
    for c in load_taxonomy():
        assert set(c.ao3_tags) <= {"implied", "mentioned", "depicted", "graphic"}
