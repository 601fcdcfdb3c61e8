"""The taxonomy of content warnings (data/taxonomy.toml): ids, names, parents and aliases."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

SEVERITIES: tuple[str, ...] = ("implied", "mentioned", "depicted", "graphic")
ALIAS_SETS: tuple[str, ...] = ("pan23", "webis", "webis_passages", "ao3")


def severity_rank(severity: str) -> int:
    """0 for implied … 3 for graphic; raises ValueError on an unknown severity."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Category:
    """One kind of sensitive content."""

    id: str
    name: str
    description: str
    parent: str | None = None
    also_avoids: tuple[str, ...] = ()
    aliases: dict[str, list[str]] = field(default_factory=dict)
    ao3_tags: dict[str, str] = field(default_factory=dict)
    ao3_warning: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "parent": self.parent,
            "description": self.description,
            "also_avoids": list(self.also_avoids),
            "aliases": {k: list(self.aliases.get(k, [])) for k in ALIAS_SETS},
            "ao3_tags": dict(self.ao3_tags),
            "ao3_warning": self.ao3_warning,
        }


class Taxonomy:
    """All categories, in file order, with lookups by id and by alias."""

    def __init__(self, version: str, categories: list[Category]) -> None:
        self.version = version
        self.categories = categories
        self._by_id = {c.id: c for c in categories}

    def __getitem__(self, category_id: str) -> Category:
        return self._by_id[category_id]

    def __contains__(self, category_id: object) -> bool:
        return category_id in self._by_id

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.categories)

    def ids(self) -> list[str]:
        return [c.id for c in self.categories]

    def children(self, category_id: str) -> list[Category]:
        return [c for c in self.categories if c.parent == category_id]

    def ancestors(self, category_id: str) -> list[str]:
        """Parent, grandparent, … of ``category_id``."""
        chain = []
        parent = self[category_id].parent
        while parent:
            chain.append(parent)
            parent = self[parent].parent
        return chain

    def expand(self, category_id: str) -> set[str]:
        """What avoiding ``category_id`` avoids: itself, its descendants, and their also_avoids."""
        result: set[str] = set()
        todo = [category_id]
        while todo:
            cid = todo.pop()
            if cid in result:
                continue
            result.add(cid)
            todo.extend(c.id for c in self.children(cid))
            todo.extend(self[cid].also_avoids)
        return result

    def resolve(self, name: str) -> str:
        """A category id from an id, a name or an alias (case-insensitive); KeyError if none."""
        key = name.strip().lower()
        if key in self._by_id:
            return key
        for c in self.categories:
            names = [c.name] + [a for alias in c.aliases.values() for a in alias]
            if any(key == n.lower() for n in names):
                return c.id
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "categories": [c.to_dict() for c in self.categories]}


@cache
def load_taxonomy() -> Taxonomy:
    """The taxonomy shipped with forewarn."""
    raw = tomllib.loads(resources.files("forewarn").joinpath("data/taxonomy.toml").read_text())
    categories = [
        Category(
            id=c["id"],
            name=c["name"],
            description=c["description"],
            parent=c.get("parent"),
            also_avoids=tuple(c.get("also_avoids", ())),
            aliases={k: list(c.get("aliases", {}).get(k, [])) for k in ALIAS_SETS},
            ao3_tags=dict(c.get("ao3_tags", {})),
            ao3_warning=c.get("ao3_warning"),
        )
        for c in raw["category"]
    ]
    return Taxonomy(str(raw["version"]), categories)
