"""Schemathesis against the server's OpenAPI document: no 5xx, every answer as documented.

Requests are generated for every operation (valid and invalid ones) and sent over loopback to a
real ``forewarn serve``; every response is checked against the document: its status code is
listed, its content type is the one listed, its body and headers match their schemas.

The document is built at collection time by the same code that serves ``/openapi.json`` (a
lazily loaded schema, ``schemathesis.pytest.from_fixture``, fails on pytest 9.2), and the first
test proves the live server serves exactly that document.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance

from forewarn.server.app import create_app
from forewarn.server.settings import Settings
from tests.conftest import FIXTURES
from tests.server.conftest import LiveServer, start_server, stop_server

# Every test here talks to a live `forewarn serve` (a few seconds to start).
pytestmark = pytest.mark.slow

#: Bounded and reproducible: the same few requests per operation on every run.
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 5,
        "generation": {"max-examples": 25, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
    }
)
DOCUMENT = create_app(Settings()).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
STORY = "Chapter 1\n\nShe swallowed the whole bottle of pills, hoping never to wake up.\n"


@pytest.fixture(scope="module")
def schema_server() -> Iterator[LiveServer]:
    """A server of its own with default limits, so generated scans never meet another's load."""
    server = start_server("schema")
    yield server
    stop_server(server)


def test_the_live_server_serves_the_document_under_test(schema_server: LiveServer) -> None:
    response = httpx.get(f"{schema_server.url}/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.json() == DOCUMENT


@schema.parametrize()
def test_every_response_is_documented_and_no_server_error(
    case: Case, schema_server: LiveServer
) -> None:
    # An upload is sniffed by content, which no schema can describe: a generated PNG is a
    # documented 415, not a rejected valid request. Every other check still applies to it.
    upload = case.media_type == "multipart/form-data"
    case.call_and_validate(
        base_url=schema_server.url,
        excluded_checks=[positive_data_acceptance] if upload else [],
        timeout=60,
    )


@pytest.mark.parametrize(
    ("request_kwargs", "final"),
    [
        ({"json": {"text": STORY, "title": "Pills"}}, "done"),
        ({"files": {"file": ("cut.epub", (FIXTURES / "ao3_work.epub").read_bytes()[:3000])}},
         "failed"),
    ],
    ids=["done", "failed"],
)  # fmt: skip
def test_a_job_answers_as_documented_until_it_ends(
    schema_server: LiveServer, request_kwargs: dict[str, Any], final: str
) -> None:
    """Generated ids never name a real job, so follow real ones: queued, running, done/failed."""
    submitted = httpx.post(f"{schema_server.url}/v1/jobs", timeout=30, **request_kwargs)
    assert submitted.status_code == 202, submitted.text
    submitted.request.read()  # a multipart request streams; schemathesis wants its bytes
    schema["/v1/jobs"]["POST"].validate_response(submitted)
    deadline = time.monotonic() + 60
    while True:
        polled = httpx.get(f"{schema_server.url}{submitted.headers['Location']}", timeout=10)
        assert polled.status_code == 200, polled.text
        schema["/v1/jobs/{job_id}"]["GET"].validate_response(polled)
        job = polled.json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert job["status"] == final
    if final == "done":
        assert job["result"]["documents"][0]["metadata"]["title"] == "Pills"
    else:
        assert job["error"]["status"] == 422 and "cut.epub" in job["error"]["detail"]


def test_what_schemathesis_found_stays_fixed(schema_server: LiveServer) -> None:
    """A broken multipart body was a bare 400, a blank job was queued only to fail later."""
    broken = httpx.post(
        f"{schema_server.url}/v1/scan",
        content=b"--b\r\n-35769--b--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
        timeout=30,
    )
    assert broken.status_code == 422, broken.text
    assert broken.headers["content-type"] == "application/problem+json"
    assert "malformed multipart body" in broken.json()["detail"]
    blank = httpx.post(f"{schema_server.url}/v1/jobs", json={"text": " \n"}, timeout=30)
    assert blank.status_code == 422 and "empty text" in blank.json()["detail"]
    avoid = DOCUMENT["paths"]["/v1/check"]["post"]["parameters"][0]
    assert avoid["name"] == "avoid" and avoid["explode"] is False
    assert avoid["schema"]["type"] == "array" and "suicide-attempt" in str(avoid["schema"])
