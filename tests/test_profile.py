"""The avoid-list profile: where it lives, what rules mean, and the `forewarn profile` command."""

from __future__ import annotations

import stat
import sys

import pytest

from forewarn.profile import (
    AvoidList,
    ProfileError,
    load_profile,
    parse_avoid,
    profile_path,
    resolve_category,
    set_rule,
    unset_rule,
)
from tests.helpers import run_cli


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return tmp_path


def test_profile_path_follows_xdg(config, monkeypatch):
    assert profile_path() == config / "forewarn" / "profile.toml"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(config / "home"))
    assert profile_path() == config / "home" / ".config" / "forewarn" / "profile.toml"


def test_set_and_unset_round_trip(config):
    assert not load_profile()
    set_rule("Self-Harm", "any")  # AO3 wording and "any" are understood
    set_rule("violence", "graphic")
    assert load_profile().rules == {"self-harm": "implied", "violence": "graphic"}
    unset_rule("self-harm")
    assert load_profile().rules == {"violence": "graphic"}
    with pytest.raises(ProfileError, match="not in the profile"):
        unset_rule("self-harm")


def test_parse_avoid():
    assert parse_avoid("suicide, violence:graphic").rules == {
        "suicide": "implied",
        "violence": "graphic",
    }
    with pytest.raises(ProfileError, match=r"unknown severity 'graphc'; did you mean 'graphic'"):
        parse_avoid("violence:graphc")
    with pytest.raises(ProfileError, match="at least one"):
        parse_avoid(" , ")


def test_unknown_category_suggests_close_matches():
    with pytest.raises(ProfileError, match=r"did you mean 'self-harm'"):
        resolve_category("selfharm")
    with pytest.raises(ProfileError) as exc:
        resolve_category("zzzz")
    assert "did you mean" not in str(exc.value)


def test_thresholds_child_overrides_parent_and_also_avoids_reach():
    avoid = AvoidList(
        {"suicide": "implied", "suicide-attempt": "graphic", "sexual-content": "depicted"}
    )
    t = avoid.thresholds()
    assert t["suicidal-ideation"] == ("implied", "suicide")
    assert t["suicide-attempt"] == ("graphic", "suicide-attempt")
    assert t["sexual-assault"] == ("depicted", "sexual-content")
    assert "violence" not in t


def test_broken_profile_names_the_file(config):
    path = profile_path()
    path.parent.mkdir(parents=True)
    path.write_text("[avoid]\nsuicide = implied\n")  # unquoted value: not TOML
    with pytest.raises(ProfileError, match="not valid TOML") as exc:
        load_profile()
    assert str(path) in str(exc.value)
    path.write_text('[avoid]\nsuicde = "implied"\n')
    with pytest.raises(ProfileError, match="unknown category 'suicde'"):
        load_profile()


@pytest.mark.slow
def test_profile_cli(tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    shown = run_cli("profile", env=env)
    assert shown.returncode == 0 and "nothing avoided yet" in shown.stdout
    assert run_cli("profile", "set", "violence", "graphic", env=env).returncode == 0
    assert "avoid violence from graphic" in run_cli("profile", env=env).stdout
    assert "avoid violence from graphic" in run_cli("profile", "show", env=env).stdout
    bad = run_cli("profile", "set", "violense", env=env)
    assert bad.returncode == 2 and "did you mean 'violence'" in bad.stderr
    assert run_cli("profile", "unset", "violence", env=env).returncode == 0
    assert "nothing avoided yet" in run_cli("profile", env=env).stdout


def test_profile_edit_opens_editor_and_validates(tmp_path):
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        "text = open(path).read()\n"
        "open(path, 'w').write(text + 'suicide = \"mentioned\"\\n')\n"
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    env = {"XDG_CONFIG_HOME": str(tmp_path), "EDITOR": f"{sys.executable} {editor}", "VISUAL": ""}
    result = run_cli("profile", "--edit", env=env)
    assert result.returncode == 0, result.stderr
    assert "avoid suicide from mentioned" in result.stdout
    assert "# forewarn avoid-list" in (tmp_path / "forewarn" / "profile.toml").read_text()
