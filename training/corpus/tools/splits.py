"""Which split a work belongs to (``training/corpus/splits.toml``): novels by name, Webis works
and written batches by a hash of their id, so the assignment never depends on order."""

from __future__ import annotations

import hashlib
import tomllib
from functools import cache
from pathlib import Path

SPLITS_FILE = Path(__file__).resolve().parent.parent / "splits.toml"


@cache
def _config() -> dict:
    return tomllib.loads(SPLITS_FILE.read_text(encoding="utf-8"))


def split_of_work(work: str) -> str:
    """The split of a public-domain novel (its file stem)."""
    novels = _config()["novels"]
    for split in ("test", "dev"):
        if work in novels[split]:
            return split
    return "train"


def split_of_key(key: str) -> str:
    """The split of a Webis AO3 work id or a written batch id."""
    hashed = _config()["hashed"]
    bucket = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 100
    if bucket < hashed["test"]:
        return "test"
    return "dev" if bucket < hashed["test"] + hashed["dev"] else "train"
