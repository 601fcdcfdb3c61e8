"""The browser extension's side of ``forewarn serve``: pairing token, structured AO3 works, the
reader's profile, the answer cache, and no endpoint usable from another web origin.

A real server on loopback, its config dir (pairing token, profile) in a fresh folder.
"""

from __future__ import annotations

import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from forewarn.server.extension import parse_work, work_document
from forewarn.server.problems import Problem
from tests.conftest import ROOT
from tests.server.conftest import ARTIFACTS, LiveServer, start_server, stop_server

# Every test here talks to a live `forewarn serve` (a few seconds to start).
pytestmark = pytest.mark.slow

STORY = (ROOT / "examples" / "founding-story.txt").read_text(encoding="utf-8")
PARAGRAPHS = [p for p in STORY.split("\n\n") if p.strip()]
CALM = ["The kettle sang in the kitchen.", "She poured two cups and sat by the window."]
EVIL = "https://evil.example"


def work(chapters: list[dict[str, object]], **extra: object) -> dict[str, object]:
    return {
        "id": "4242",
        "title": "Night Air",
        "authors": ["someone"],
        "rating": "Teen And Up Audiences",
        "archive_warnings": ["No Archive Warnings Apply"],
        "additional_tags": ["Bullying", "Hurt/Comfort"],
        "summary": "A long night.",
        "chapters": chapters,
        **extra,
    }


@pytest.fixture(scope="module")
def config_dir() -> Path:
    path = ARTIFACTS / "extension-config"
    for old in path.glob("forewarn/*"):
        old.unlink()
    return path


def pair(config_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "forewarn", "serve", "--pair"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(config_dir), "XDG_CONFIG_HOME": str(config_dir)},
        timeout=60,
    )


@pytest.fixture(scope="module")
def server(config_dir: Path) -> Iterator[LiveServer]:
    live = start_server(
        "extension", {"XDG_CONFIG_HOME": str(config_dir), "FOREWARN_SERVE_CONCURRENCY": "1"}
    )
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def token(server: LiveServer, config_dir: Path) -> str:
    """The token the server made on its first start, as ``forewarn serve --pair`` shows it."""
    done = pair(config_dir)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_server_makes_a_private_token_on_first_start(token: str, config_dir: Path) -> None:
    saved = config_dir / "forewarn" / "pairing-token"
    assert saved.read_text().strip() == token and len(token) >= 40
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    again = pair(config_dir)
    assert again.stdout.strip() == token, "--pair shows the same token every time"
    assert "paste it into the forewarn extension" in again.stderr


def test_the_check_needs_the_pairing_token(server: LiveServer, token: str) -> None:
    url, body = f"{server.url}/v1/extension/check", work([{"number": 1, "paragraphs": CALM}])
    missing = httpx.post(url, json=body)
    assert missing.status_code == 401, missing.text
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.post(url, json=body, headers=bearer("x" * 43))
    assert wrong.status_code == 403, wrong.text
    for path in ("/v1/extension/profile",):
        assert httpx.get(f"{server.url}{path}").status_code == 401
    assert httpx.delete(f"{server.url}/v1/extension/cache").status_code == 401
    assert httpx.post(url, json=body, headers=bearer(token), params={"mode": "fast"}).is_success


def test_a_refused_request_does_no_work(server: LiveServer) -> None:
    """Refused before its body is read: a malformed body gets 401, not 422."""
    huge = b"{" + b" " * 100_000
    refused = httpx.post(
        f"{server.url}/v1/extension/check",
        content=huge,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert refused.status_code == 401


def test_an_ao3_work_is_answered_in_ao3_chapters(server: LiveServer, token: str) -> None:
    """Chapter 3 shown alone is chapter 3; fold ranges index the paragraphs sent (blank ones
    included), and the tag audit speaks of the author's tags."""
    sent = ["", *PARAGRAPHS]
    body = work([{"number": 3, "title": "Chapter 3: The Roof", "paragraphs": sent}])
    answer = httpx.post(
        f"{server.url}/v1/extension/check",
        json=body,
        headers=bearer(token),
        params={"avoid": "suicide"},
        timeout=120,
    )
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert got["safe"] is False and got["checked"] is True
    # AO3's chapter 3, named as the page prints it (as check names chapters since 2822c59)
    assert got["summary"].startswith("contains: ") and "in Chapter 3: The Roof" in got["summary"]
    assert "chapter 1" not in got["summary"].lower()
    assert "guarantee" in got["caveat"]
    [chapter] = got["chapters"]
    assert chapter["number"] == 3 and chapter["paragraphs"] == len(sent)
    assert any("suicide" in label for label in chapter["avoided"])
    folded = [n for a, b in chapter["fold"] for n in range(a, b + 1)]
    assert folded and min(folded) >= 2, "paragraph 1 was blank: numbers count what was sent"
    assert any("swan dive" in sent[n - 1].lower() for n in folded)
    assert got["safe_chapters"] == []
    assert all(h["chapters"] == [3] for h in got["hits"])
    audit = got["tags"]["audit"]
    assert "Bullying" in [t["tag"] for t in audit["confirmed"]]
    notes = {(n["kind"], n["subject"]) for n in got["tags"]["notes"]}
    assert ("confirmed", "Bullying") in notes and ("untagged", "Suicide") in notes
    assert "Suicide" in got["tags"]["additional_tags"]
    # spoiler-free: no quote of the story anywhere in the answer
    text = answer.text
    assert "swan dive" not in text.lower() and "evidence" not in str(got["hits"])
    assert all(not w["evidence"] for w in got["report"]["documents"][0]["warnings"])
    assert [c["number"] for c in got["report"]["documents"][0]["chapters"]] == [3]
    assert got["cached"] is False and len(got["text_hash"]) == 64

    again = httpx.post(
        f"{server.url}/v1/extension/check",
        json=body,
        headers=bearer(token),
        params={"avoid": "suicide"},
        timeout=10,
    )
    assert again.json()["cached"] is True
    assert again.json()["text_hash"] == got["text_hash"]
    assert again.elapsed.total_seconds() < 2

    spoilers = httpx.post(
        f"{server.url}/v1/extension/check",
        json=body,
        headers=bearer(token),
        params={"avoid": "suicide", "spoilers": "true"},
        timeout=120,
    ).json()
    assert any(h["evidence"] for h in spoilers["hits"])


def test_the_profile_round_trip(server: LiveServer, token: str, config_dir: Path) -> None:
    url = f"{server.url}/v1/extension/profile"
    saved = httpx.put(url, json={"avoid": "suicide,violence:graphic"}, headers=bearer(token))
    assert saved.status_code == 200, saved.text
    assert saved.json()["avoid"] == {"suicide": "implied", "violence": "graphic"}
    assert 'violence = "graphic"' in (config_dir / "forewarn" / "profile.toml").read_text()
    got = httpx.get(url, headers=bearer(token)).json()
    assert got["avoid"] == {"suicide": "implied", "violence": "graphic"}
    assert got["spec"] == "suicide:implied,violence:graphic"
    assert any(c["id"] == "self-harm" for c in got["categories"])
    bad = httpx.put(url, json={"avoid": {"sucide": "any"}}, headers=bearer(token))
    assert bad.status_code == 422 and "did you mean" in bad.json()["detail"]
    # the check uses the saved profile when the extension sends no avoid-list
    calm = httpx.post(
        f"{server.url}/v1/extension/check",
        json=work([{"number": 1, "paragraphs": CALM}]),
        headers=bearer(token),
        params={"mode": "fast"},
        timeout=60,
    ).json()
    assert calm["safe"] is True and calm["avoid"] == got["avoid"]
    assert calm["summary"] == "no warning found for suicide (any), violence (graphic+)"
    cleared = httpx.put(url, json={"avoid": ""}, headers=bearer(token))
    assert cleared.json()["avoid"] == {}


def test_forget_all_empties_the_cache(server: LiveServer, token: str) -> None:
    url, body = f"{server.url}/v1/extension/check", work([{"number": 1, "paragraphs": CALM}])
    params = {"mode": "fast", "avoid": "suicide"}
    httpx.post(url, json=body, headers=bearer(token), params=params, timeout=60)
    assert httpx.post(url, json=body, headers=bearer(token), params=params).json()["cached"]
    forget = httpx.delete(f"{server.url}/v1/extension/cache", headers=bearer(token))
    assert forget.status_code == 204
    fresh = httpx.post(url, json=body, headers=bearer(token), params=params, timeout=60)
    assert fresh.json()["cached"] is False


def test_malformed_works_are_refused(server: LiveServer, token: str) -> None:
    url = f"{server.url}/v1/extension/check"
    for body, words in [
        ({"title": "x"}, "chapters"),
        (work([{"number": 2, "paragraphs": CALM}, {"number": 1, "paragraphs": CALM}]), "after"),
        (work([{"number": 1, "paragraphs": ["", "  "]}]), "no chapter text"),
        (work([{"number": 1, "paragraphs": [3]}]), "list of strings"),
        (work([{"number": 1, "paragraphs": CALM}], secret="x"), "unknown field"),
    ]:
        refused = httpx.post(url, json=body, headers=bearer(token))
        assert refused.status_code == 422, (body, refused.text)
        assert words in refused.json()["detail"]
    plain = httpx.post(url, content="text", headers={**bearer(token), "Content-Type": "text/plain"})
    assert plain.status_code == 415


# -- no web origin may use the server ----------------------------------------------------------
def test_no_cross_origin_page_can_use_any_endpoint(server: LiveServer, token: str) -> None:
    """Another origin gets 403 and never Access-Control-Allow-Origin, preflight or not, even
    with the right token; the server's own page and extensions may ask; curl still works."""
    story = {"text": "He died in the war."}
    for method, path in [
        ("OPTIONS", "/v1/extension/check"),
        ("OPTIONS", "/v1/scan"),
        ("POST", "/v1/scan"),
        ("POST", "/v1/extension/check"),
        ("GET", "/v1/taxonomy"),
        ("GET", "/v1/extension/profile"),
    ]:
        for origin in (EVIL, "http://localhost:1", "null"):
            headers = {
                **bearer(token),
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            }
            answer = httpx.request(method, f"{server.url}{path}", json=story, headers=headers)
            assert answer.status_code == 403, (method, path, origin, answer.text)
            assert not any(h.startswith("access-control-") for h in answer.headers), answer.headers
    # a no-cors subresource fetch carries no Origin, only Sec-Fetch-Site
    sneaky = httpx.post(
        f"{server.url}/v1/scan",
        content="He died.",
        headers={"Content-Type": "text/plain", "Sec-Fetch-Site": "cross-site"},
    )
    assert sneaky.status_code == 403
    # same origin (the server's page), an extension, and the command line
    own = {"Origin": server.url}
    assert httpx.post(f"{server.url}/v1/scan", json=story, headers=own, params={"mode": "fast"})
    extension = {**bearer(token), "Origin": "chrome-extension://abcdefghijklmnop"}
    ok = httpx.get(f"{server.url}/v1/extension/profile", headers=extension)
    assert ok.status_code == 200 and "access-control-allow-origin" not in ok.headers
    assert httpx.get(f"{server.url}/v1/taxonomy").status_code == 200
    page = httpx.get(
        f"{server.url}/", headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    )
    assert page.status_code == 200, "following a link to the page is not a cross-origin fetch"


# -- the document the worker builds ---------------------------------------------------------------
def test_chapters_keep_ao3_numbers_and_sent_paragraph_indices() -> None:
    import json

    raw = work(
        [
            {"number": 2, "title": "Two", "paragraphs": ["a b c.", " ", "d e f."]},
            {"number": 4, "title": "Four", "paragraphs": ["g h i."]},
        ]
    )
    doc, sent = work_document(parse_work(json.dumps(raw).encode()), "ao3:1")
    assert [c.number for c in doc.chapters if c.end > c.start] == [2, 4]
    assert doc.chapter_at(doc.text.index("g h i")).number == 4
    assert doc.chapter_at(0).title == "Two"
    assert [s.sent_index for s in sent] == [(1, 3), (1,)]
    assert doc.metadata.additional_tags == ["Bullying", "Hurt/Comfort"]
    with pytest.raises(Problem):
        parse_work(b"[1]")


def test_with_no_avoid_list_what_was_found_names_ao3_chapters_as_printed() -> None:
    """With no avoid-list the panel's summary lists what was found; its chapters, like the
    verdict's and the tag audit's, are named as AO3 prints them ('Chapter 3: The Roof')."""
    import json

    from forewarn.scanner import Scanner
    from forewarn.server.extension import check_work, parse_work

    body = work([{"number": 3, "title": "Chapter 3: The Roof", "paragraphs": PARAGRAPHS}])
    got = check_work(parse_work(json.dumps(body).encode()), Scanner(), {})
    assert got["summary"].startswith("no avoid-list set; found: ")
    assert "in Chapter 3: The Roof" in got["summary"]
    assert "chapter 3" not in got["summary"]
    notes = [n["detail"] for n in got["tags"]["notes"] if n["kind"] == "untagged"]
    assert notes and all("Chapter 3: The Roof" in n for n in notes)
