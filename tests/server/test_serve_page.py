"""The web page in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

A reader pastes or drops a story, sees warnings without spoilers, reveals a passage, gets a
verdict for an avoid-list; a broken file gives a readable error; a hostile story runs nothing.
While a scan runs the page says so; the answer is brought into view; a pasted story is titled
from its first line and folded away once sent; the avoid-list is the one `forewarn profile`
keeps. Screenshots land in test-artifacts/serve/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.conftest import EXAMPLE, FIXTURES, ROOT
from tests.helpers import CHROMIUM, require_chromium
from tests.server.conftest import ARTIFACTS, LiveServer

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
require_chromium()

ARGS = [
    "--no-sandbox",  # running as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
STORY = EXAMPLE.read_text(encoding="utf-8")
#: The live server's config dir (tests/server/conftest.py): its profile is the page's avoid-list.
CONFIG = ARTIFACTS / "config"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def empty_profile(live_server: LiveServer) -> None:
    """Every test starts with no avoid-list saved (the page shares the server's profile)."""
    put = httpx.put(f"{live_server.url}/page/profile", json={"avoid": ""}, timeout=10)
    assert put.status_code == 200, put.text


def forewarn(*args: str) -> str:
    """``forewarn ARGS`` as a reader runs it, with the live server's config dir."""
    done = subprocess.run(
        [sys.executable, "-m", "forewarn", *args],
        env={**os.environ, "XDG_CONFIG_HOME": str(CONFIG)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass
class Session:
    """A page on the live server, with everything it tried that a reader should never see."""

    page: Any
    url: str
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def open(self) -> None:
        self.page.goto(self.url + "/")
        self.page.wait_for_selector("#avoid-list input")  # the taxonomy has loaded

    def submit(self) -> None:
        self.page.get_by_role("button", name="Check the story").click()
        self.answered()

    def answered(self) -> None:
        # (no wait_for_function: the page's CSP forbids the eval it needs)
        done = self.page.locator("#results .fw-report, #error:not([hidden])").first
        done.wait_for(timeout=60_000)
        # (then the verdict's own check, when there is an avoid-list)
        playwright_api.expect(self.page.locator("#scan-button")).to_be_enabled(timeout=60_000)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _session(browser: Any, server: LiveServer, **context: Any) -> Iterator[Session]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(**context)
    page = ctx.new_page()
    s = Session(page, server.url)

    def only_loopback(route: Any) -> None:
        if route.request.url.startswith(server.url + "/"):
            route.continue_()
        else:
            s.outside.append(route.request.url)
            route.abort()

    ctx.route("**/*", only_loopback)
    page.on("dialog", lambda d: (s.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: s.errors.append(str(e)))
    page.on("console", lambda m: s.errors.append(m.text) if m.type == "error" else None)
    yield s
    ctx.close()
    assert s.outside == [], "the page reached outside the server"
    assert s.dialogs == []


@pytest.fixture
def session(browser: Any, live_server: LiveServer) -> Iterator[Session]:
    yield from _session(browser, live_server, viewport={"width": 1280, "height": 900})
    # (errors are checked per test: a failed upload logs the 422 as a console error)


@pytest.fixture
def phone(browser: Any, live_server: LiveServer) -> Iterator[Session]:
    yield from _session(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


def first_quote(server: LiveServer, category: str) -> str:
    report = httpx.post(
        f"{server.url}/v1/scan",
        content=STORY.encode(),
        headers={"Content-Type": "text/plain"},
        timeout=60,
    ).json()
    warning = next(w for w in report["documents"][0]["warnings"] if w["id"] == category)
    return str(warning["evidence"][0]["quote"])


def test_paste_a_story_and_see_warnings_without_spoilers(
    session: Session, live_server: LiveServer
) -> None:
    page = session.page
    session.open()
    page.get_by_label("Paste a story").fill(STORY)
    session.submit()
    summary = page.locator(".fw-sevgrid")
    assert summary.get_by_role("link", name="Suicide attempt").is_visible()
    assert "content warning" in page.locator("#status").inner_text()
    quote = first_quote(live_server, "suicide-attempt")
    passage = page.locator("#fw-0-w-suicide-attempt .fw-passage blockquote").first
    assert quote[:40] in passage.text_content()  # in the page, but hidden
    assert not passage.is_visible()
    assert page.locator(".fw-timeline svg").is_visible()
    session.shot("paste-spoiler-free")
    assert session.errors == []


def drop_file(page: Any, name: str, data: str, mime: str = "text/plain") -> None:
    """Drop a file on the drop zone, as a reader dragging it from their files would."""
    transfer = page.evaluate_handle(
        """([name, data, mime]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([data], name, {type: mime}));
            return dt;
        }""",
        [name, data, mime],
    )
    page.dispatch_event("#drop-zone", "drop", {"dataTransfer": transfer})


def test_drop_the_founding_story_then_reveal_the_evidence(
    session: Session, live_server: LiveServer
) -> None:
    page = session.page
    session.open()
    drop_file(page, "founding-story.txt", STORY)
    assert "founding-story.txt" in page.locator("#file-chosen").inner_text()
    session.submit()
    assert "founding-story.txt" in page.locator(".fw-facts").inner_text()
    warning = page.locator("#fw-0-w-suicide-attempt")
    assert warning.get_by_role("heading").inner_text().startswith("Suicide attempt")
    quote = first_quote(live_server, "suicide-attempt")
    passage = warning.locator(".fw-passage").first
    assert not passage.locator("blockquote").is_visible()

    passage.get_by_text("Show passage").click()
    shown = passage.locator("blockquote")
    assert shown.is_visible()
    assert " ".join(quote.split()[:8]) in " ".join(shown.inner_text().split())
    mark = shown.locator("mark")
    assert mark.is_visible() and mark.inner_text().strip()
    passage.scroll_into_view_if_needed()
    session.shot("drop-revealed")
    assert session.errors == []


def test_upload_an_epub_with_an_avoid_list(session: Session) -> None:
    page = session.page
    session.open()
    page.get_by_label("Choose a file, or drop one here").set_input_files(FIXTURES / "ao3_work.epub")
    page.get_by_label("Death", exact=True).check()
    page.get_by_label("Warn me from").select_option("mentioned")
    session.submit()
    assert page.locator(".fw-report h1").inner_text() == "The Lighthouse Year"
    verdict = page.locator("#verdict")
    assert verdict.is_visible()
    # chapters named as the book prints them, as the report's passages below name them
    assert "death (mentioned) in Chapter 2" in verdict.inner_text()
    assert (
        "Nothing you avoid found in chapter 1 “The Roof”, chapter 3 “What the River Kept”."
        in verdict.inner_text()
    )
    assert "Chapter 2 (" in page.locator("#fw-0-w-death .fw-loc").first.inner_text()
    assert "forewarn can miss things" in verdict.inner_text()  # the caveat goes with a verdict
    session.shot("epub-verdict")
    # the avoid-list is remembered for the next visit
    session.open()
    assert page.get_by_label("Death", exact=True).is_checked()
    assert page.get_by_label("Warn me from").input_value() == "mentioned"
    assert session.errors == []


def test_a_corrupt_epub_gives_a_readable_error(session: Session) -> None:
    page = session.page
    session.open()
    broken = (FIXTURES / "ao3_work.epub").read_bytes()[:3000]
    page.get_by_label("Choose a file, or drop one here").set_input_files(
        {"name": "broken.epub", "mimeType": "application/epub+zip", "buffer": broken}
    )
    session.submit()
    error = page.get_by_role("alert")
    assert error.is_visible()
    text = error.inner_text()
    assert "broken.epub: corrupt or truncated EPUB" in text
    assert "Traceback" not in text and "{" not in text
    assert page.locator("#results .fw-report").count() == 0
    session.shot("corrupt-epub")


HOSTILE_TITLE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
HOSTILE_HTML = f"""<!doctype html><html><head><title>{HOSTILE_TITLE.replace("<", "&lt;")}</title>
</head><body><h2>Chapter 1: &lt;script&gt;alert(3)&lt;/script&gt;</h2>
<p>He wrote &lt;script&gt;window.__pwned=4;alert(4)&lt;/script&gt; on the wall, and then
he tried to kill himself by jumping from the roof.</p>
<script>window.__pwned = 5; alert(5)</script>
<p onclick="alert(6)">She found him <b onmouseover="alert(7)">bleeding</b> on the stairs and
screamed <iframe src="javascript:alert(8)"></iframe>.</p></body></html>"""


def executed(page: Any) -> dict[str, Any]:
    """What a hostile story could have made the page run or build."""
    return page.evaluate(
        """() => ({
            pwned: window.__pwned === undefined ? null : window.__pwned,
            scripts: [...document.querySelectorAll('#results script, #verdict script')].length,
            embeds: [...document.querySelectorAll('#results img, #results iframe')].length,
            handlers: [...document.querySelectorAll('#results *')].filter(
                el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
        })"""
    )


def test_a_story_with_script_in_its_text_and_title_runs_nothing(session: Session) -> None:
    page = session.page
    session.open()
    page.get_by_label("Choose a file, or drop one here").set_input_files(
        {"name": '<img src=x onerror="alert(9)">.html', "mimeType": "text/html",
         "buffer": HOSTILE_HTML.encode()}
    )  # fmt: skip
    page.get_by_label("Suicide", exact=True).check()
    session.submit()
    page.get_by_role("button", name="Show all passages").click()
    title = page.locator(".fw-report h1").inner_text()
    assert title == HOSTILE_TITLE  # shown as text, exactly
    assert "<script>window.__pwned=4;alert(4)</script>" in page.locator("#results").inner_text()
    assert executed(page) == {"pwned": None, "scripts": 0, "embeds": 0, "handlers": 0}
    session.shot("hostile-upload")

    # pasted text: the same payloads straight into the textarea
    session.open()
    page.get_by_label("Paste a story").fill(
        f"Chapter 1: {HOSTILE_TITLE}\n\nHe wrote {HOSTILE_TITLE} on the wall and then he "
        "tried to kill himself.\n"
    )
    session.submit()
    page.get_by_role("button", name="Show all passages").click()
    assert HOSTILE_TITLE in page.locator("#results").inner_text()
    assert executed(page) == {"pwned": None, "scripts": 0, "embeds": 0, "handlers": 0}
    assert session.dialogs == []
    assert session.errors == []


def test_phone_width_and_keyboard_only(phone: Session) -> None:
    page = phone.page
    phone.open()
    focused = "document.activeElement && document.activeElement.id"
    for _ in range(4):  # the skip link, then the text box
        page.keyboard.press("Tab")
        if page.evaluate(focused) == "story-text":
            break
    assert page.evaluate(focused) == "story-text"
    page.keyboard.insert_text(STORY)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(focused) == "scan-button":
            break
    assert page.evaluate(focused) == "scan-button"
    page.keyboard.press("Enter")
    page.wait_for_selector("#results .fw-warning")
    # reveal a passage from the keyboard: its summary is focusable and Enter opens it
    summary = page.locator("#fw-0-w-suicide-attempt .fw-passage summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("#fw-0-w-suicide-attempt .fw-passage blockquote").first.is_visible()
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways on a phone: {width}"
    phone.shot("phone")
    assert phone.errors == []


def test_axe_finds_no_accessibility_violations(session: Session) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    page = session.page
    session.open()
    page.get_by_label("Paste a story").fill(STORY)
    page.get_by_label("Suicide", exact=True).check()
    session.submit()
    page.get_by_role("button", name="Show all passages").click()
    results = axe.Axe().run(page)
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert violations == [], "\n".join(violations)


def hold_scans(page: Any) -> list[Any]:
    """Requests to /v1/scan from now on wait, unanswered, until the test continues them."""
    held: list[Any] = []

    def hold(route: Any) -> None:
        held.append(route)

    page.route("**/v1/scan?*", hold)
    return held


def in_viewport(page: Any, selector: str) -> bool:
    """Whether the element's top is inside the window as the reader sees it now."""
    box = page.locator(selector).bounding_box()  # relative to the viewport
    height = page.evaluate("window.innerHeight")
    return box is not None and -1 <= box["y"] < height - 40 and box["height"] > 0


def test_the_page_shows_progress_then_brings_the_verdict_into_view(session: Session) -> None:
    page = session.page
    session.open()
    page.get_by_label("Paste a story").fill(STORY)
    page.get_by_label("Suicide", exact=True).check()
    held = hold_scans(page)
    page.get_by_role("button", name="Check the story").click()
    while not held:
        page.wait_for_timeout(50)
    # the scan has not answered yet: the page says it is working, visibly and to a screen reader
    status = page.get_by_role("status")
    playwright_api.expect(status).to_contain_text("Checking the story")
    assert status.locator(".spinner").is_visible()
    playwright_api.expect(page.locator("#results")).to_have_attribute("aria-busy", "true")
    playwright_api.expect(page.locator("#scan-button")).to_be_disabled()
    playwright_api.expect(status).to_contain_text(re.compile(r"\d+ s$"), timeout=3000)  # a clock
    session.shot("progress")
    held[0].continue_()
    session.answered()
    verdict = page.locator("#verdict")
    playwright_api.expect(verdict).to_be_visible()
    playwright_api.expect(page.locator("#results")).to_have_attribute("aria-busy", "false")
    assert not status.locator(".spinner").is_visible()
    assert "holds what you avoid" in verdict.inner_text()
    assert page.evaluate("window.scrollY") > 0  # the page moved to the answer
    assert in_viewport(page, "#verdict"), "the verdict is out of sight after the answer"
    assert page.evaluate("document.activeElement.id") == "verdict"  # read next by a screen reader
    page.screenshot(path=str(ARTIFACTS / "verdict-in-view.png"))  # the window only
    assert session.errors == []


def test_without_an_avoid_list_the_report_comes_into_view(phone: Session) -> None:
    page = phone.page
    phone.open()
    page.get_by_label("Paste a story").fill(STORY)
    phone.submit()
    assert page.locator("#verdict").is_hidden()
    assert in_viewport(page, "#results"), "the report is out of sight after the answer"
    assert phone.errors == []


ENDING = "And in the end the lighthouse keeper walked into the sea and never came back."
TITLED = f"""The Lighthouse Keeper

Chapter 1

Mara kept the lamp burning through the winter storms, as her mother had before her.

Chapter 2

The supply boat stopped coming in March. {ENDING}
"""


def test_a_pasted_story_is_titled_from_its_first_line_and_folded_away(session: Session) -> None:
    page = session.page
    session.open()
    box = page.get_by_role("textbox", name="Paste a story")
    box.fill(TITLED)
    session.submit()
    assert page.locator(".fw-report h1").inner_text() == "The Lighthouse Keeper"
    assert "<text>" not in page.locator("#results h1").inner_text()
    assert page.title() == "The Lighthouse Keeper \u2014 forewarn"  # the tab says it too
    # the text box no longer shows the story's last lines (its ending) next to the report
    assert box.is_hidden()
    assert not page.get_by_text(ENDING).first.is_visible()
    folded = page.locator("#story-folded")
    assert (
        "folded away" in folded.inner_text()
        and f"({len(TITLED.split())} words)" in folded.inner_text()
    )
    assert folded.is_visible()
    show = page.get_by_role("button", name="Show the text")
    assert show.get_attribute("aria-expanded") == "false"
    session.shot("pasted-folded")
    show.click()
    assert box.is_visible() and box.input_value() == TITLED
    assert page.evaluate("document.activeElement.id") == "story-text"
    hide = page.get_by_role("button", name="Hide the text")
    assert hide.get_attribute("aria-expanded") == "true"
    hide.click()
    assert box.is_hidden()

    # a story whose first line is a long sentence: its first words, shortened
    page.get_by_role("button", name="Show the text").click()
    box.fill(STORY)
    session.submit()
    title = page.locator(".fw-report h1").inner_text()
    assert title.startswith('"If you want a quirk so bad,') and title.endswith("\u2026")
    assert len(title) <= 72
    assert session.errors == []


def test_the_avoid_list_is_the_profile_forewarn_check_uses(
    session: Session, live_server: LiveServer
) -> None:
    # set from the command line: the page shows it, each rule with its own severity
    forewarn("profile", "set", "suicide", "implied")
    forewarn("profile", "set", "violence", "graphic")
    forewarn("profile", "set", "suicide-attempt", "depicted")
    page = session.page
    session.open()
    assert "the same avoid-list forewarn check uses" in page.locator("#avoid-hint").inner_text()
    assert page.get_by_label("Suicide", exact=True).is_checked()
    assert page.get_by_label("Warn me from").input_value() == "implied"
    assert page.get_by_label("Violence (graphic only)").is_checked()
    assert page.get_by_label("Suicide attempt (depicted or worse)").is_checked()  # a child too

    # changed on the page: `forewarn profile show` and the TOML file have it
    with page.expect_response(lambda r: r.url.endswith("/page/profile") and r.ok):
        page.get_by_label("Death", exact=True).check()
    with page.expect_response(lambda r: r.url.endswith("/page/profile") and r.ok):
        page.get_by_label("Violence (graphic only)").uncheck()
    shown = forewarn("profile", "show")
    assert "avoid death from implied" in shown
    assert "avoid suicide-attempt from depicted" in shown
    assert "violence" not in shown
    saved = (CONFIG / "forewarn" / "profile.toml").read_text(encoding="utf-8")
    assert 'death = "implied"' in saved

    # the verdict on the page uses exactly those rules
    page.get_by_label("Paste a story").fill(STORY)
    session.submit()
    verdict = page.locator("#verdict").inner_text()
    assert "suicide" in verdict.lower()
    session.shot("profile-shared")
    assert session.errors == []


def test_a_broken_profile_is_named_and_left_alone(
    session: Session, live_server: LiveServer
) -> None:
    profile = CONFIG / "forewarn" / "profile.toml"
    profile.write_text("[avoid]\nsuicide = \n", encoding="utf-8")  # not TOML
    try:
        page = session.page
        session.open()
        hint = page.locator("#avoid-hint").inner_text()
        assert "Could not read forewarn\u2019s profile" in hint
        assert "remembered in this browser only" in hint
        page.get_by_label("Death", exact=True).check()
        assert profile.read_text(encoding="utf-8") == "[avoid]\nsuicide = \n"  # not overwritten
        session.open()
        assert page.get_by_label("Death", exact=True).is_checked()  # kept in the browser
    finally:
        profile.unlink()


def _checked(session: Session, story: str) -> tuple[str, str]:
    """Paste ``story``, avoid death, check it: (the verdict's text, the report's text)."""
    page = session.page
    session.open()
    page.get_by_label("Paste a story").fill(story)
    page.get_by_label("Death", exact=True).check()
    session.submit()
    verdict = page.locator("#verdict")
    playwright_api.expect(verdict).to_be_visible()
    return verdict.inner_text(), page.locator("#results .fw-report").inner_text()


def test_a_story_without_what_you_avoid_gets_no_bare_safe(session: Session) -> None:
    """Honest verdicts on the page: "No warning found for …" with the caveat, and the report's
    own nothing-found line names how many categories forewarn checks; never a bare "safe"."""
    said, report = _checked(
        session,
        "The Bakery\n\nThey baked rye bread all morning and ate it warm with butter.\n\n"
        "In the afternoon they walked to the harbour and counted the boats.\n",
    )
    assert "No warning found for death (any)." in said
    assert "forewarn can miss things" in said  # the caveat goes with every verdict
    assert not re.search(r"\bsafe\b", said, re.IGNORECASE)
    assert "No warning found for the" in report and "forewarn can miss things" in report
    assert session.errors == []


def test_a_story_in_another_language_gets_a_notice_and_no_verdict(session: Session) -> None:
    """A short Spanish story (36 words): the page names the language and claims no verdict."""
    said, report = _checked(
        session,
        "La niña subió al tejado de la casa y miró el mar. No quería volver, pero su madre la "
        "esperaba con la cena. Se sentó en el borde y pensó en todo lo que había pasado.",
    )
    assert "Not checked: forewarn reads English; this text looks like Spanish" in said
    assert "No warning found" not in said and not re.search(r"\bsafe\b", said, re.IGNORECASE)
    assert "forewarn reads English; this text looks like Spanish" in report
    assert "No warning found" not in report
    assert session.errors == []
