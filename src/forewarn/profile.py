"""A reader's avoid-list: which categories to avoid and from which severity, kept in a TOML profile.

The profile lives at ``$XDG_CONFIG_HOME/forewarn/profile.toml`` (default
``~/.config/forewarn/profile.toml``); ``forewarn check --avoid`` takes the same rules inline.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forewarn.errors import ProfileError
from forewarn.taxonomy import SEVERITIES, load_taxonomy, severity_rank

PROFILE_HEADER = """\
# forewarn avoid-list: what `forewarn check` warns you about when you give no --avoid.
#
# One line per category: category = "lowest severity to avoid".
# Severities: implied < mentioned < depicted < graphic.
#   suicide = "implied"     avoids any suicide content, even implied
#   violence = "graphic"    avoids graphic violence but allows mentioned or depicted violence
# A parent category covers its children (suicide covers ideation, attempt and death); a rule for
# a child overrides its parent's. `forewarn taxonomy` lists the categories.
"""


@dataclass
class AvoidList:
    """Category id -> the lowest severity the reader wants to avoid."""

    rules: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.rules)

    def thresholds(self) -> dict[str, tuple[str, str]]:
        """Every category the rules reach -> (minimum severity, the rule's category).

        A rule reaches its category's descendants and ``also_avoids``; a category named by
        its own rule, or else by its nearest ancestor's, takes that rule; otherwise the
        strictest rule that reaches it applies.
        """
        tax = load_taxonomy()
        reached: dict[str, list[str]] = {}
        for rule in self.rules:
            for cid in tax.expand(rule):
                reached.setdefault(cid, []).append(rule)
        out: dict[str, tuple[str, str]] = {}
        for cid, rules in reached.items():
            lineage = [cid, *tax.ancestors(cid)]
            own = [r for r in lineage if r in rules]
            rule = own[0] if own else min(rules, key=lambda r: severity_rank(self.rules[r]))
            out[cid] = (self.rules[rule], rule)
        return out

    def describe(self) -> str:
        """``"suicide (any), violence (graphic)"`` — the rules as a reader would say them."""
        return ", ".join(
            f"{cid} ({'any' if sev == SEVERITIES[0] else sev + '+'})"
            for cid, sev in self.rules.items()
        )

    def to_dict(self) -> dict[str, str]:
        return dict(self.rules)


def resolve_category(name: str) -> str:
    """A category id from an id, name or alias; ProfileError naming close matches if unknown."""
    tax = load_taxonomy()
    try:
        return tax.resolve(name)
    except KeyError:
        pass
    known: dict[str, str] = {}
    for c in tax:
        for label in [c.id, c.name, *[a for alias in c.aliases.values() for a in alias]]:
            known.setdefault(label.lower(), c.id)
    close = difflib.get_close_matches(name.strip().lower(), list(known), n=6, cutoff=0.6)
    ids = list(dict.fromkeys(known[c] for c in close))[:3]
    hint = f"; did you mean {' or '.join(repr(i) for i in ids)}?" if ids else ""
    raise ProfileError(f"unknown category {name.strip()!r}{hint} (see `forewarn taxonomy`)")


def check_severity(severity: str) -> str:
    """``severity`` lower-cased if it is one of SEVERITIES ("any" means implied)."""
    key = severity.strip().lower()
    if key == "any":
        return SEVERITIES[0]
    if key not in SEVERITIES:
        close = difflib.get_close_matches(key, SEVERITIES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ProfileError(
            f"unknown severity {severity.strip()!r}{hint} (choose {', '.join(SEVERITIES)})"
        )
    return key


def parse_avoid(spec: str) -> AvoidList:
    """``"suicide,violence:graphic"`` -> AvoidList; a bare category avoids it at any severity."""
    rules: dict[str, str] = {}
    for item in spec.split(","):
        if not item.strip():
            continue
        name, _, severity = item.partition(":")
        rules[resolve_category(name)] = check_severity(severity) if severity else SEVERITIES[0]
    if not rules:
        raise ProfileError("--avoid needs at least one category, e.g. --avoid suicide,self-harm")
    return AvoidList(rules)


def config_dir() -> Path:
    """forewarn's settings folder: $XDG_CONFIG_HOME/forewarn or ~/.config/forewarn."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "forewarn"


def profile_path() -> Path:
    """Where the profile lives: $XDG_CONFIG_HOME/forewarn/profile.toml or ~/.config/…."""
    return config_dir() / "profile.toml"


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The TOML table in ``path`` ({} if there is no file); ProfileError naming ``what``."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc})") from None


def load_profile(path: Path | None = None) -> AvoidList:
    """The avoid-list saved at ``path`` (default: profile_path()); empty if there is none."""
    path = path or profile_path()
    raw = read_toml(path, "profile")
    avoid = raw.get("avoid", {})
    if not isinstance(avoid, dict):
        raise ProfileError(f"{path}: [avoid] must be a table of category = severity")
    rules: dict[str, str] = {}
    for name, severity in avoid.items():
        if not isinstance(severity, str):
            raise ProfileError(f'{path}: {name} must be a severity in quotes, e.g. "implied"')
        try:
            rules[resolve_category(name)] = check_severity(severity)
        except ProfileError as exc:
            raise ProfileError(f"{path}: {exc}") from None
    return AvoidList(rules)


def dump_profile(avoid: AvoidList) -> str:
    """The TOML text of a profile holding ``avoid`` (header comment included)."""
    lines = [PROFILE_HEADER, "[avoid]"]
    lines += [f'{cid} = "{sev}"' for cid, sev in avoid.rules.items()]
    return "\n".join(lines) + "\n"


def save_profile(avoid: AvoidList, path: Path | None = None) -> Path:
    """Write ``avoid`` to ``path`` (default: profile_path()), creating folders; returns the path."""
    return write_atomically(path or profile_path(), dump_profile(avoid))


def write_atomically(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` via a temporary file, creating folders; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def set_rule(category: str, severity: str, path: Path | None = None) -> tuple[str, str]:
    """Avoid ``category`` from ``severity`` in the saved profile; returns (id, severity)."""
    avoid = load_profile(path)
    cid, sev = resolve_category(category), check_severity(severity)
    avoid.rules[cid] = sev
    save_profile(avoid, path)
    return cid, sev


def unset_rule(category: str, path: Path | None = None) -> str:
    """Stop avoiding ``category`` in the saved profile; ProfileError if it was not there."""
    avoid = load_profile(path)
    cid = resolve_category(category)
    if cid not in avoid.rules:
        raise ProfileError(f"{cid} is not in the profile ({path or profile_path()})")
    del avoid.rules[cid]
    save_profile(avoid, path)
    return cid


def edit_profile(path: Path | None = None) -> AvoidList:
    """Open the profile in $VISUAL/$EDITOR (creating it from a template), then validate it."""
    import shlex
    import subprocess

    path = path or profile_path()
    if not path.exists():
        save_profile(AvoidList(), path)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        subprocess.run([*shlex.split(editor), str(path)], check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ProfileError(f"cannot run editor {editor!r} ({exc}); set $EDITOR") from None
    return load_profile(path)
