"""forewarn's version (the one place it is written; pyproject.toml reads it from here), and the
model version stamped on every batch result: code release + taxonomy + data fingerprint.

A batch re-run skips a work only when its recorded ``model_version`` equals this one, so any
change to the release, the taxonomy or a shipped data file (lexicons, context rules, model
weights) makes earlier results stale. This module is the one place that defines it.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from importlib.abc import Traversable

from forewarn.taxonomy import load_taxonomy

#: The release; ``forewarn --version``, the server's OpenAPI document and ``model_version``.
__version__ = "0.1.0"

#: Data files (lexicons, taxonomy, schemas, model arrays) anywhere in the package; code and
#: stray files are left out, so a source tree and an installed wheel fingerprint alike.
_DATA_SUFFIXES = (
    ".toml",
    ".json",
    ".txt",
    ".tsv",
    ".csv",
    ".npz",
    ".npy",
    ".bin",
    ".safetensors",
    ".onnx",
)


def _data_files(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    out: list[tuple[str, Traversable]] = []
    for entry in folder.iterdir():
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                out.extend(_data_files(entry, name + "/"))
        elif entry.name.endswith(_DATA_SUFFIXES):
            out.append((name, entry))
    return out


@cache
def data_fingerprint() -> str:
    """First 12 hex digits of a SHA-256 over every shipped data file (name and bytes)."""
    digest = hashlib.sha256()
    for name, entry in sorted(_data_files(resources.files("forewarn")), key=lambda t: t[0]):
        data = entry.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:12]


@cache
def model_version(mode: str = "default") -> str:
    """E.g. ``0.1.0+tax.2026.11.1+data.3f2a9c1b0d4e+default``: equal only if results would be."""
    return f"{__version__}+tax.{load_taxonomy().version}+data.{data_fingerprint()}+{mode}"
