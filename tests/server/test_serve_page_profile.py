"""The web page's avoid-list endpoint: the server's profile on loopback, nobody's elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from forewarn.server.app import create_app
from forewarn.server.settings import Settings


@pytest.fixture(autouse=True)
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return tmp_path


def test_on_loopback_the_page_reads_and_writes_the_cli_profile(config: Path) -> None:
    client = TestClient(create_app(Settings()), base_url="http://127.0.0.1:8000")
    assert client.get("/page/profile").json()["avoid"] == {}
    put = client.put("/page/profile", json={"avoid": {"Suicide": "any", "violence": "graphic"}})
    assert put.status_code == 200
    assert put.json()["avoid"] == {"suicide": "implied", "violence": "graphic"}
    assert 'violence = "graphic"' in (config / "forewarn" / "profile.toml").read_text()
    assert client.get("/page/profile").json()["spec"] == "suicide:implied,violence:graphic"
    bad = client.put("/page/profile", json={"avoid": {"nonsense": "implied"}})
    assert bad.status_code == 422
    # not the API's: left out of its document
    assert "/page/profile" not in client.get("/openapi.json").json()["paths"]


def test_another_web_origin_cannot_touch_it(config: Path) -> None:
    client = TestClient(create_app(Settings()), base_url="http://127.0.0.1:8000")
    put = client.put(
        "/page/profile", json={"avoid": "suicide"}, headers={"Origin": "https://evil.example"}
    )
    assert put.status_code == 403
    assert not (config / "forewarn" / "profile.toml").exists()


def test_a_server_other_machines_reach_keeps_its_profile_to_itself(config: Path) -> None:
    app = create_app(Settings(host="0.0.0.0", allow_remote=True))
    client = TestClient(app, base_url="http://192.0.2.7:8000")
    assert client.get("/page/profile").status_code == 404
    assert client.put("/page/profile", json={"avoid": "suicide"}).status_code == 404
    assert not (config / "forewarn" / "profile.toml").exists()
