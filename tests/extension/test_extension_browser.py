"""The browser extension in real headless Chromium (Debian's), with a real ``forewarn serve``.

Playwright loads extension/ unpacked into a persistent context; AO3's URLs are answered with the
saved AO3-structured pages of tests/extension/pages (never the real site). The extension is set
up through its own options page, then reads work pages, folds what the reader avoids, badges
listings from its cache, and forgets. A page of another origin cannot use the server.
Screenshots land in test-artifacts/extension/.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.conftest import ROOT
from tests.extension.ao3_pages import PAGES, ROUTES, pages
from tests.helpers import CHROMIUM, require_chromium
from tests.server.conftest import LiveServer, start_server, stop_server

pytestmark = pytest.mark.browser

EXTENSION = ROOT / "extension"
ARTIFACTS = ROOT / "test-artifacts" / "extension"
AO3 = "https://archiveofourown.org"
EVIL = "https://evil.example"
ARGS = [
    "--headless=new",  # the new headless mode runs extensions
    f"--disable-extensions-except={EXTENSION}",
    f"--load-extension={EXTENSION}",
    "--no-sandbox",  # running as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
require_chromium()  # skipped by a bare pytest without it, an error in CI (make test installs it)


@dataclass
class Browser:
    """The persistent context with the extension loaded, and what pages asked of AO3."""

    context: Any
    extension_id: str
    worker: Any
    ao3_requests: list[str] = field(default_factory=list)

    def open(self, path: str) -> Any:
        page = self.context.new_page()
        page.goto(AO3 + path)
        return page

    def options(self) -> Any:
        page = self.context.new_page()
        page.goto(f"chrome-extension://{self.extension_id}/options.html")
        return page

    def storage(self) -> dict[str, Any]:
        return dict(self.worker.evaluate("chrome.storage.local.get(null)"))


@pytest.fixture(scope="module")
def config_dir() -> Path:
    path = ARTIFACTS / "config"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture(scope="module")
def server(config_dir: Path) -> Iterator[LiveServer]:
    live = start_server(
        "extension-browser",
        {"XDG_CONFIG_HOME": str(config_dir), "FOREWARN_SERVE_CONCURRENCY": "1"},
    )
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def token(server: LiveServer, config_dir: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "forewarn", "serve", "--pair"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(config_dir), "XDG_CONFIG_HOME": str(config_dir)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _ao3(browser: Browser) -> Any:
    def fulfil(route: Any) -> None:
        url = urlsplit(route.request.url)
        browser.ao3_requests.append(url.path)
        name = ROUTES.get(url.path)
        if name is None:
            route.fulfill(status=404, content_type="text/html", body="<h1>not saved</h1>")
        else:
            page = (PAGES / name).read_text(encoding="utf-8")
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=page)

    return fulfil


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
        )
        worker = (
            context.service_workers[0]
            if context.service_workers
            else context.wait_for_event("serviceworker", timeout=30_000)
        )
        extension_id = urlsplit(worker.url).netloc
        b = Browser(context, extension_id, worker)
        context.route(f"{AO3}/**", _ao3(b))
        yield b
        context.close()


@pytest.fixture(scope="module")
def paired(browser: Browser, server: LiveServer, token: str) -> Browser:
    """The extension set up as a reader would: server address, token, avoid-list (suicide)."""
    page = browser.options()
    page.fill("#server", server.url)
    page.fill("#token", token)
    page.click("#save-connection")
    expect(page.locator("#connection-status")).to_have_text(f"Connected to {server.url}")
    page.fill("#avoid", "suicide")
    page.click("#save-avoid")
    expect(page.locator("#avoid-status")).to_have_text("Saved: avoiding suicide (any)")
    page.close()
    return browser


def verdict(page: Any) -> str:
    locator = page.locator("#forewarn-panel .forewarn-verdict")
    locator.wait_for(timeout=120_000)
    return str(locator.inner_text())


# -- the options page ----------------------------------------------------------------------------
def test_options_round_trip(paired: Browser, server: LiveServer, token: str) -> None:
    """Saved settings come back on reopening; the avoid-list is the server's profile, both ways."""
    bearer = {"Authorization": f"Bearer {token}"}
    profile = httpx.get(f"{server.url}/v1/extension/profile", headers=bearer).json()
    assert profile["avoid"] == {"suicide": "implied"}, "the options page saved to the server"

    page = paired.options()
    expect(page.locator("#server")).to_have_value(server.url)
    expect(page.locator("#token")).to_have_value(token)
    expect(page.locator("#avoid")).to_have_value("suicide")  # imported on opening

    httpx.put(
        f"{server.url}/v1/extension/profile",
        json={"avoid": "self-harm,violence:graphic"},
        headers=bearer,
    )
    page.click("#load-avoid")
    expect(page.locator("#avoid")).to_have_value("self-harm\nviolence:graphic")
    page.fill("#avoid", "sucide")
    page.click("#save-avoid")
    expect(page.locator("#avoid-status")).to_contain_text("did you mean 'suicide'")
    page.fill("#avoid", "suicide")
    page.click("#save-avoid")
    expect(page.locator("#avoid-status")).to_have_text("Saved: avoiding suicide (any)")

    page.check("input[name=fold][value=chapters]")
    expect(page.locator("#fold-status")).to_have_text("Saved")
    assert paired.storage()["settings"]["fold"] == "chapters"
    page.reload()
    expect(page.locator("input[name=fold][value=chapters]")).to_be_checked()
    page.check("input[name=fold][value=paragraphs]")
    expect(page.locator("#fold-status")).to_have_text("Saved")

    page.fill("#server", "https://example.com:8000")
    page.click("#save-connection")
    expect(page.locator("#connection-status")).to_contain_text("must be on this machine")
    assert paired.storage()["settings"]["server"] == server.url
    page.close()


# -- work pages ----------------------------------------------------------------------------------
def test_a_multi_chapter_work_gets_a_verdict_notices_and_folds(paired: Browser) -> None:
    page = paired.open("/works/2002?view_full_work=true")
    said = verdict(page)
    # chapter 2 named as AO3 prints it, as the panel's chapter list does (since 2822c59)
    assert said.startswith("contains: ") and "suicide" in said and "in Chapter 2: Winter" in said
    panel = page.locator("#forewarn-panel")
    expect(panel.locator(".forewarn-caveat").first).to_contain_text("guarantee")
    chapters = panel.locator(".forewarn-chapters li")
    expect(chapters).to_have_count(3)
    expect(chapters.nth(0)).to_have_text("Chapter 1: Spring: nothing you avoid found")
    expect(chapters.nth(1)).to_contain_text("Chapter 2: Winter: contains suicide")
    expect(chapters.nth(2)).to_have_text("Chapter 3: Summer: nothing you avoid found")
    panel_text = panel.inner_text()
    assert "pills" not in panel_text and "bottle" not in panel_text, "the panel is spoiler-free"
    # the author's tags next to the findings, in the tag audit's words
    page.click("text=Author's tags and forewarn's findings")
    tags = panel.locator(".forewarn-tags")
    expect(tags).to_contain_text("Hurt/Comfort")
    expect(tags.locator(".forewarn-audit-untagged").first).to_contain_text("Chapter 2: Winter")

    # a notice at chapter 2's heading only, and the avoided paragraph folded
    expect(page.locator(".forewarn-notice")).to_have_count(1)
    notice = page.locator("#chapter-2 .forewarn-notice")
    expect(notice).to_contain_text("forewarn: this chapter contains suicide")
    pills = page.locator("#chapter-2 .userstuff p", has_text="bottle of pills")
    expect(pills).to_be_hidden()
    expect(page.locator("#chapter-1 .userstuff p").first).to_be_visible()
    expect(page.locator("#chapter-3 .userstuff p").first).to_be_visible()
    fold = page.locator("#chapter-2 .forewarn-fold")
    expect(fold).to_contain_text("forewarn folded")
    page.locator("#forewarn-panel").screenshot(path=str(ARTIFACTS / "multi-chapter-panel.png"))
    fold.get_by_role("button", name="show anyway").click()
    expect(pills).to_be_visible()
    expect(page.locator("#chapter-2 .forewarn-fold")).to_have_count(0)

    # the passages only when the reader asks
    page.click("text=Show the passages (spoilers)")
    expect(panel.locator(".forewarn-passages")).to_contain_text("bottle of pills")
    page.close()


def test_one_chapter_view_keeps_ao3_chapter_numbers(paired: Browser) -> None:
    page = paired.open("/works/2002/chapters/5552")
    said = verdict(page)
    assert "in Chapter 2: Winter" in said and "chapter 1" not in said.lower()
    expect(page.locator("#forewarn-panel .forewarn-chapters li")).to_have_count(1)
    expect(page.locator("#chapter-2 .forewarn-notice")).to_have_count(1)
    page.close()


def test_a_calm_one_shot_says_nothing_found_with_the_caveat(paired: Browser) -> None:
    page = paired.open("/works/1001")
    assert verdict(page) == "no warning found for suicide (any)"
    expect(page.locator("#forewarn-panel .forewarn-caveat").first).to_contain_text("guarantee")
    expect(page.locator(".forewarn-notice, .forewarn-fold")).to_have_count(0)
    page.close()


def test_the_adult_content_notice_asks_for_the_work_page(
    paired: Browser, server: LiveServer
) -> None:
    checks = server.log().count("/v1/extension/check")
    page = paired.open("/works/3003")
    message = page.locator("#forewarn-panel .forewarn-message")
    expect(message).to_contain_text("forewarn needs the work page itself")
    page.wait_for_timeout(500)
    assert server.log().count("/v1/extension/check") == checks, "nothing was sent"
    page.close()


def test_the_founding_story_as_an_ao3_work(paired: Browser) -> None:
    page = paired.open("/works/4242")
    page.set_viewport_size({"width": 1000, "height": 900})
    said = verdict(page)
    assert said.startswith("contains: ") and "suicide" in said and "chapter 1" in said
    expect(page.locator(".forewarn-fold").first).to_be_visible()
    assert page.locator(".userstuff p.forewarn-folded").count() >= 3
    page.click("text=Author's tags and forewarn's findings")
    tags = page.locator("#forewarn-panel .forewarn-tags")
    expect(tags.locator(".forewarn-audit-confirmed").first).to_contain_text("Bullying")
    expect(tags.locator(".forewarn-audit-untagged", has_text="Suicide")).not_to_have_count(0)
    # docs/extension-panel.png is this picture
    page.locator("#forewarn-panel").screenshot(path=str(ARTIFACTS / "extension-panel.png"))
    page.close()


# -- listings, the cache, forgetting ---------------------------------------------------------------
def test_listing_badges_come_from_the_cache_only(paired: Browser) -> None:
    for path in ("/works/2002", "/works/1001"):
        page = paired.open(path)
        verdict(page)
        page.close()
    cached = paired.storage()
    assert cached["work:2002"]["safe"] is False and cached["work:1001"]["safe"] is True
    assert re.fullmatch(r"[0-9a-f]{64}", cached["work:2002"]["hash"])
    assert "text" not in json.dumps(cached["work:2002"]), "the cache keeps verdicts, not text"

    paired.ao3_requests.clear()
    listing = "/tags/Hurt*s*Comfort/works"
    page = paired.open(listing)
    badge = page.locator("#work_2002 .forewarn-badge")
    expect(badge).to_have_text("forewarn: contains what you avoid")
    expect(page.locator("#work_1001 .forewarn-badge")).to_have_text(
        "forewarn: nothing you avoid found"
    )
    expect(page.locator("#bookmark_777 .forewarn-badge")).to_have_count(1)
    page.wait_for_timeout(500)
    expect(page.locator("#work_9999 .forewarn-badge")).to_have_count(0)
    assert paired.ao3_requests == [listing], "the extension fetched nothing from AO3"
    page.close()


def test_forget_all(paired: Browser) -> None:
    page = paired.open("/works/1001")
    verdict(page)
    page.close()
    options = paired.options()
    options.click("#forget")
    expect(options.locator("#forget-status")).to_contain_text("and the server's cache too")
    assert not [k for k in paired.storage() if k.startswith("work:")]
    assert "settings" in paired.storage(), "the settings stay"
    options.close()
    page = paired.open("/tags/Hurt*s*Comfort/works")
    page.wait_for_timeout(500)
    expect(page.locator(".forewarn-badge")).to_have_count(0)
    page.close()


# -- nobody else may use the server ----------------------------------------------------------------
ATTEMPTS = """async ([base, token]) => {
  const out = {};
  const attempt = async (name, url, init) => {
    try {
      const r = await fetch(url, init);
      out[name] = `status ${r.status} ${r.type}`;
    } catch (e) { out[name] = `blocked: ${e.name}`; }
  };
  const work = {chapters: [{number: 1, paragraphs: ["He died in the war."]}]};
  await attempt("check", base + "/v1/extension/check", {method: "POST",
    headers: {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
    body: JSON.stringify(work)});
  await attempt("profile", base + "/v1/extension/profile",
    {headers: {"Authorization": "Bearer " + token}});
  await attempt("taxonomy", base + "/v1/taxonomy", {});
  await attempt("scan", base + "/v1/scan", {method: "POST", body: "He died in the war."});
  await attempt("no-cors scan", base + "/v1/scan",
    {method: "POST", mode: "no-cors", body: "He died in the war."});
  return out;
}"""


@pytest.fixture(scope="module")
def neighbour() -> Iterator[str]:
    """Another web origin on this machine: a plain HTTP server on another loopback port."""

    class Blank(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>another local page</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Blank)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("where", ["public", "local"])
def test_a_page_of_another_origin_cannot_call_the_server(
    browser: Browser, server: LiveServer, token: str, neighbour: str, where: str
) -> None:
    """Even knowing the token, a web page cannot read any answer, and its no-cors POST runs no
    scan; the extension's content script never runs there. A public site is stopped by the
    browser itself (local network access); a page on this machine reaches the server, which
    refuses it (403, and no Access-Control-Allow-Origin)."""
    origin = EVIL if where == "public" else neighbour
    if where == "public":
        browser.context.route(
            f"{EVIL}/**",
            lambda route: route.fulfill(
                status=200, content_type="text/html", body="<!doctype html><title>evil</title>"
            ),
        )
    log_before = len(server.log())
    page = browser.context.new_page()
    page.goto(origin + "/")
    results = page.evaluate(ATTEMPTS, [server.url, token])
    for name in ("check", "profile", "taxonomy", "scan"):
        assert results[name].startswith("blocked"), results
    # an opaque no-cors answer (or a block) carries nothing readable
    assert results["no-cors scan"] in ("status 0 opaque", "blocked: TypeError"), results
    log = server.log()[log_before:]
    assert '" 200' not in log, f"the server answered that page:\n{log}"
    if where == "local":
        refused = re.findall(r'"(?:POST|GET|OPTIONS) (/v1/[a-z/]+)" 403', log)
        assert {"/v1/extension/check", "/v1/scan"} <= set(refused), log
    expect(page.locator("#forewarn-panel")).to_have_count(0)
    page.close()


def test_the_saved_pages_are_current() -> None:
    for name, html in pages().items():
        saved = (PAGES / name).read_text(encoding="utf-8")
        assert saved == html, f"{name}: run python -m tests.extension.ao3_pages"
