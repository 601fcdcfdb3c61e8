"""The HTTP API as an archive would use it: every input form, every error status, the limits.

All requests go over loopback to a real ``forewarn serve`` (tests/server/conftest.py).
"""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

import httpx
import jsonschema
import pytest

from tests.conftest import EXAMPLE, FIXTURES, ROOT, validate_report
from tests.server.conftest import LiveServer

# Every test here talks to a live `forewarn serve` (a few seconds to start).
pytestmark = pytest.mark.slow

STORY = EXAMPLE.read_text(encoding="utf-8")
CHECK_SCHEMA = json.loads((ROOT / "src/forewarn/schema/check.schema.json").read_text())
#: A word that appears in no story: if it reaches a log, story text is being logged.
MARKER = "Quillfeather"


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response's problem details, after checking it is one with ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"] == "about:blank"
    assert body["title"] and body["detail"] and "\n" not in body["detail"]
    return body


def scan_text(server: LiveServer, text: str, **params: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/scan",
        content=text.encode(),
        headers={"Content-Type": "text/plain; charset=utf-8"},
        params=params,
        timeout=60,
    )


def assert_evidence_quotes(report: dict[str, Any], text: str) -> None:
    for warning in report["documents"][0]["warnings"]:
        for e in warning["evidence"]:
            assert text[e["start"] : e["end"]] == e["quote"]


def test_plain_text_body_gives_the_report_with_exact_evidence(live_server: LiveServer) -> None:
    response = scan_text(live_server, STORY)
    assert response.status_code == 200
    report = response.json()
    validate_report(report)
    warnings = {w["id"]: w for w in report["documents"][0]["warnings"]}
    assert "suicide-attempt" in warnings
    assert warnings["suicide-attempt"]["evidence"]
    assert_evidence_quotes(report, STORY)


def test_json_body_with_title(live_server: LiveServer) -> None:
    text = "Chapter 1\n\nShe swallowed the whole bottle of pills, hoping never to wake up.\n"
    response = httpx.post(
        f"{live_server.url}/v1/scan", json={"text": text, "title": "Pills"}, timeout=30
    )
    assert response.status_code == 200
    report = response.json()
    validate_report(report)
    doc = report["documents"][0]
    assert doc["metadata"]["title"] == "Pills" and doc["source"] == "<text>"
    assert_evidence_quotes(report, text)


def test_multipart_epub_upload(live_server: LiveServer) -> None:
    epub = FIXTURES / "ao3_work.epub"
    response = httpx.post(
        f"{live_server.url}/v1/scan",
        files={"file": ("ao3_work.epub", epub.read_bytes(), "application/epub+zip")},
        timeout=30,
    )
    assert response.status_code == 200
    report = response.json()
    validate_report(report)
    doc = report["documents"][0]
    assert doc["source"] == "ao3_work.epub"
    assert doc["metadata"]["source_format"] == "ao3-epub"
    assert doc["metadata"]["title"] == "The Lighthouse Year"
    assert len(doc["chapters"]) == 3


def test_uploaded_file_name_loses_its_folders(live_server: LiveServer) -> None:
    response = httpx.post(
        f"{live_server.url}/v1/scan",
        files={"file": ("../../etc/story.md", b"# Title\n\nHe died in the war.\n", "text/plain")},
        timeout=30,
    )
    assert response.status_code == 200
    doc = response.json()["documents"][0]
    assert doc["source"] == "story.md" and doc["metadata"]["source_format"] == "markdown"


def test_spoiler_free_report_names_warnings_but_quotes_nothing(live_server: LiveServer) -> None:
    full = scan_text(live_server, STORY).json()
    quotes = [e["quote"] for w in full["documents"][0]["warnings"] for e in w["evidence"]]
    response = scan_text(live_server, STORY, spoiler_free="true")
    assert response.status_code == 200
    report = response.json()
    validate_report(report)
    warnings = {w["id"]: w for w in report["documents"][0]["warnings"]}
    assert warnings["suicide-attempt"]["evidence_total"] > 0
    assert all(w["evidence"] == [] for w in warnings.values())
    assert not any(q in response.text for q in quotes if len(q) > 20)


def test_html_fragment_is_the_renderers(live_server: LiveServer) -> None:
    response = scan_text(live_server, STORY, format="html")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    html = response.text
    assert html.startswith('<div class="fw-report">')
    assert "Suicide attempt" in html and '<details class="fw-passage"' in html
    assert "<script" not in html


def test_check_gives_a_spoiler_free_verdict(live_server: LiveServer) -> None:
    response = httpx.post(
        f"{live_server.url}/v1/check",
        params={"avoid": "suicide"},
        content=STORY.encode(),
        headers={"Content-Type": "text/plain"},
        timeout=30,
    )
    assert response.status_code == 200
    body = response.json()
    jsonschema.validate(body, CHECK_SCHEMA)
    verdict = body["verdicts"][0]
    assert verdict["safe"] is False and verdict["checked"] is True
    assert "suicide (attempt" in verdict["summary"]
    assert verdict["safe_chapters"] == []  # a one-chapter story with suicide in it
    assert all("evidence" not in hit for hit in verdict["hits"])

    spoilers = httpx.post(
        f"{live_server.url}/v1/check",
        params={"avoid": "suicide", "spoilers": "true"},
        json={"text": STORY},
        timeout=30,
    ).json()
    jsonschema.validate(spoilers, CHECK_SCHEMA)
    evidence = [e for h in spoilers["verdicts"][0]["hits"] for e in h["evidence"]]
    assert evidence and all(STORY[e["start"] : e["end"]] == e["quote"] for e in evidence)


def test_check_names_safe_chapters(live_server: LiveServer) -> None:
    response = httpx.post(
        f"{live_server.url}/v1/check",
        params={"avoid": "death:mentioned"},
        files={"file": ("ao3_work.epub", (FIXTURES / "ao3_work.epub").read_bytes())},
        timeout=30,
    )
    verdict = response.json()["verdicts"][0]
    assert verdict["safe"] is False
    assert verdict["hits"][0]["chapters"] == [2]
    assert verdict["safe_chapters"] == [1, 3]
    assert verdict["skip"][0]["chapter"] == 2


def test_unsupported_media_type_is_415(live_server: LiveServer) -> None:
    response = httpx.post(
        f"{live_server.url}/v1/scan",
        content=b"<story/>",
        headers={"Content-Type": "application/xml"},
    )
    assert "application/xml" in problem(response, 415)["detail"]
    no_type = httpx.post(f"{live_server.url}/v1/scan", content=b"a story")
    problem(no_type, 415)


def test_unsupported_file_format_is_415(live_server: LiveServer) -> None:
    response = httpx.post(
        f"{live_server.url}/v1/scan",
        files={"file": ("story.pdf", b"%PDF-1.7\n%binary stuff\n", "application/pdf")},
    )
    assert problem(response, 415)["detail"].startswith("story.pdf: unsupported format (PDF)")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"content": b'{"text": ', "headers": {"Content-Type": "application/json"}}, "malformed"),
        ({"json": ["a", "list"]}, "must be an object"),
        ({"json": {"title": "no text"}}, '"text"'),
        ({"json": {"text": "story", "author": "me"}}, "unknown field"),
        ({"json": {"text": "   \n  "}}, "empty text"),
        ({"content": b"\xff\xfe\xfa", "headers": {"Content-Type": "text/plain"}}, "not valid"),
        ({"files": {"other": ("a.txt", b"story")}}, "'file'"),
        ({"files": {"file": ("broken.epub", (FIXTURES / "ao3_work.epub").read_bytes()[:3000])}},
         "broken.epub: corrupt or truncated EPUB"),
    ],
    ids=["bad-json", "json-list", "no-text", "extra-field", "blank", "bad-utf8", "no-file",
         "corrupt-epub"],
)  # fmt: skip
def test_malformed_input_is_422_with_the_reason(
    live_server: LiveServer, kwargs: dict[str, Any], expected: str
) -> None:
    response = httpx.post(f"{live_server.url}/v1/scan", timeout=30, **kwargs)
    assert expected in problem(response, 422)["detail"]


def test_bad_parameters_are_422(live_server: LiveServer) -> None:
    bad_mode = scan_text(live_server, "story", mode="slow")
    body = problem(bad_mode, 422)
    assert body["errors"][0]["loc"] == ["query", "mode"]
    unknown = httpx.post(
        f"{live_server.url}/v1/check",
        params={"avoid": "suicdie"},
        json={"text": STORY},
    )
    assert "did you mean 'suicide'" in problem(unknown, 422)["detail"]
    missing = httpx.post(f"{live_server.url}/v1/check", json={"text": STORY})
    assert problem(missing, 422)["errors"][0]["loc"] == ["query", "avoid"]


def test_unknown_paths_and_methods_are_problems(live_server: LiveServer) -> None:
    problem(httpx.get(f"{live_server.url}/v1/nothing"), 404)
    problem(httpx.get(f"{live_server.url}/v1/scan"), 405)


def test_taxonomy_health_and_openapi(live_server: LiveServer) -> None:
    tax = httpx.get(f"{live_server.url}/v1/taxonomy").json()
    ids = {c["id"] for c in tax["categories"]}
    assert {"suicide", "suicide-attempt", "self-harm"} <= ids
    health = httpx.get(f"{live_server.url}/healthz").json()
    assert health["status"] == "ok" and health["workers"] >= 1
    spec = httpx.get(f"{live_server.url}/openapi.json").json()
    assert set(spec["paths"]) >= {"/v1/scan", "/v1/check", "/v1/jobs", "/v1/jobs/{job_id}"}
    scan = spec["paths"]["/v1/scan"]["post"]
    assert set(scan["requestBody"]["content"]) == {
        "text/plain",
        "application/json",
        "multipart/form-data",
    }
    assert {"200", "413", "415", "422", "429"} <= set(scan["responses"])
    assert "Retry-After" in scan["responses"]["429"]["headers"]


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        sample, value = line.rsplit(" ", 1)
        got = dict(re.findall(r'(\w+)="([^"]*)"', sample))
        if sample.split("{")[0] == name and all(got.get(k) == v for k, v in labels.items()):
            return float(value)
    return 0.0


def test_metrics_count_requests_and_words(live_server: LiveServer) -> None:
    before = httpx.get(f"{live_server.url}/metrics")
    report = scan_text(live_server, STORY).json()
    after = httpx.get(f"{live_server.url}/metrics")
    assert after.headers["content-type"].startswith("text/plain")
    words = report["documents"][0]["word_count"]
    name = "forewarn_words_scanned_total"
    assert metric(after.text, name) - metric(before.text, name) == words
    requests = "forewarn_http_requests_total"
    labels = {"method": "POST", "route": "/v1/scan", "status": "200"}
    assert metric(after.text, requests, **labels) == metric(before.text, requests, **labels) + 1
    assert "forewarn_scan_queue_depth 0.0" in after.text
    assert 'forewarn_http_request_duration_seconds_bucket{le="+Inf",method="POST"' in after.text


def test_story_text_never_reaches_the_log(live_server: LiveServer) -> None:
    text = f"{MARKER} stood on the roof and thought about jumping.\n"
    assert scan_text(live_server, text).status_code == 200
    httpx.post(f"{live_server.url}/v1/scan", json={"text": text, "title": MARKER})
    httpx.post(f"{live_server.url}/v1/scan", files={"file": ("x.epub", MARKER.encode())})
    log = live_server.log()
    assert '"POST /v1/scan" 200' in log  # the access log is there ...
    assert MARKER not in log  # ... and holds no story text


# -- limits: a server started with tiny ones (tests/server/conftest.py) ------------------------


def test_upload_over_the_limit_is_413(tight_server: LiveServer) -> None:
    big = b"word " * 60_000  # 300 KB; the limit is 0.25 MB
    response = httpx.post(
        f"{tight_server.url}/v1/scan", content=big, headers={"Content-Type": "text/plain"}
    )
    body = problem(response, 413)
    assert body["limit"] == 262144 and "the limit is 256 KB" in body["detail"]

    def chunks():  # no Content-Length: the limit holds while the body streams in
        for _ in range(60):
            yield b"word " * 1000

    streamed = httpx.post(
        f"{tight_server.url}/v1/scan", content=chunks(), headers={"Content-Type": "text/plain"}
    )
    problem(streamed, 413)


def wait_for(server: LiveServer, key: str, value: int) -> None:
    deadline = time.monotonic() + 30
    while httpx.get(f"{server.url}/healthz").json()[key] != value:
        assert time.monotonic() < deadline, f"{key} never reached {value}"
        time.sleep(0.05)


def test_busy_server_answers_429_with_retry_after(tight_server: LiveServer) -> None:
    slow = STORY * 8  # about 180 KB: a few seconds on one worker
    results: dict[str, httpx.Response] = {}
    first = threading.Thread(
        target=lambda: results.setdefault("first", scan_text(tight_server, slow))
    )
    first.start()
    try:
        wait_for(tight_server, "in_flight", 1)  # the event loop answers while the scan runs
        busy = scan_text(tight_server, "A short story.")
        body = problem(busy, 429)
        assert int(busy.headers["retry-after"]) >= 1
        assert body["retry_after"] == int(busy.headers["retry-after"])
    finally:
        first.join(timeout=120)
    assert results["first"].status_code == 200
    assert scan_text(tight_server, "A short story.").status_code == 200  # and it recovers


def test_jobs_run_in_the_background_with_a_bounded_queue(tight_server: LiveServer) -> None:
    url = tight_server.url
    response = httpx.post(
        f"{url}/v1/jobs",
        content=(STORY * 4).encode(),
        headers={"Content-Type": "text/plain"},
        params={"spoiler_free": "true"},
    )
    assert response.status_code == 202
    job = response.json()
    assert response.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["status"] in ("queued", "running") and job["result"] is None

    full = httpx.post(f"{url}/v1/jobs", json={"text": "Another story."})
    assert int(problem(full, 429)["retry_after"]) >= 1

    deadline = time.monotonic() + 120
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
        job = httpx.get(f"{url}{response.headers['location']}").json()
    assert job["status"] == "done" and job["error"] is None
    validate_report(job["result"])
    assert job["result"]["documents"][0]["warnings"][0]["evidence"] == []  # spoiler-free

    broken = httpx.post(
        f"{url}/v1/jobs",
        files={"file": ("broken.epub", (FIXTURES / "ao3_work.epub").read_bytes()[:3000])},
    )
    assert broken.status_code == 202
    failed = broken.json()
    while failed["status"] in ("queued", "running"):
        time.sleep(0.1)
        failed = httpx.get(f"{url}/v1/jobs/{failed['id']}").json()
    assert failed["status"] == "failed" and failed["result"] is None
    assert failed["error"]["status"] == 422
    assert "corrupt or truncated EPUB" in failed["error"]["detail"]


def test_unknown_job_is_404_and_a_bad_id_422(live_server: LiveServer) -> None:
    problem(httpx.get(f"{live_server.url}/v1/jobs/{'0' * 32}"), 404)
    problem(httpx.get(f"{live_server.url}/v1/jobs/not-an-id"), 422)
