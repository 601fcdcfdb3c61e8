"""Loading the Webis passage-level trigger-warning data (Wiegmann et al., ACL 2024).

Each JSONL line is one 5-sentence fan-fiction passage annotated for ONE warning by three
annotators; its label is the majority vote. Warnings map to taxonomy ids through the
``webis_passages`` aliases of data/taxonomy.toml.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from forewarn.errors import InputError
from forewarn.taxonomy import Taxonomy, load_taxonomy

#: The file name inside a folder given as the data path.
PASSAGES_FILE = "passages.jsonl"


@dataclass(frozen=True)
class Passage:
    """One annotated passage; ``votes`` is empty when labels are hidden from a system."""

    example_id: str
    work_id: str
    warning: str
    text: str
    votes: tuple[int, ...] = ()

    @property
    def label(self) -> bool:
        """The majority vote (the paper's label); ValueError when the votes are hidden."""
        if not self.votes:
            raise ValueError(f"passage {self.example_id}: labels are hidden at prediction time")
        return 2 * sum(self.votes) > len(self.votes)

    def unlabelled(self) -> Passage:
        """The same passage without its votes, as systems see it at prediction time."""
        return replace(self, votes=())


def passages_path(path: str | Path) -> Path:
    """``path`` itself, or ``path/passages.jsonl`` when ``path`` is a folder."""
    p = Path(path)
    return p / PASSAGES_FILE if p.is_dir() else p


def parse_passages(lines: Iterable[str], source: str) -> list[Passage]:
    """Passages from JSONL lines; InputError naming ``source`` and the line on bad input."""
    passages: list[Passage] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("not a JSON object")
            votes = tuple(int(v) for v in item["labels"])
            if not votes or any(v not in (0, 1) for v in votes):
                raise ValueError('"labels" must be a non-empty list of 0/1 votes')
            text = item["text"]
            if not isinstance(text, str):
                raise ValueError('"text" must be a string')
            passages.append(
                Passage(
                    example_id=str(item["example_id"]),
                    work_id=str(item["work_id"]),
                    warning=str(item["warning"]),
                    text=text,
                    votes=votes,
                )
            )
        except KeyError as exc:
            raise InputError(source, f"line {number}: missing field {exc}") from None
        except (ValueError, TypeError) as exc:
            raise InputError(source, f"line {number}: {exc}") from None
    if not passages:
        raise InputError(source, "no passages")
    ids = [p.example_id for p in passages]
    if len(set(ids)) != len(ids):
        raise InputError(source, "duplicate example_id values")
    return passages


def load_passages(path: str | Path) -> list[Passage]:
    """All passages of a Webis passages.jsonl (or of the folder holding one)."""
    file = passages_path(path)
    try:
        with file.open(encoding="utf-8") as stream:
            return parse_passages(stream, str(file))
    except OSError as exc:
        raise InputError(str(file), f"cannot read file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(str(file), "not UTF-8 text") from None


def file_sha256(path: str | Path) -> str:
    """The data file's SHA-256, recorded with results so they can be traced to their input."""
    return hashlib.sha256(passages_path(path).read_bytes()).hexdigest()


def warning_categories(warnings: Iterable[str], tax: Taxonomy | None = None) -> dict[str, str]:
    """Each Webis warning's taxonomy id via the ``webis_passages`` aliases; KeyError if unmapped."""
    tax = tax or load_taxonomy()
    mapping: dict[str, str] = {}
    for warning in warnings:
        ids = [c.id for c in tax if warning in c.aliases.get("webis_passages", [])]
        if len(ids) != 1:
            raise KeyError(f"Webis warning {warning!r} maps to {len(ids)} taxonomy categories")
        mapping[warning] = ids[0]
    return mapping
