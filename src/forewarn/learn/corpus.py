"""The annotated corpus: one record per passage, labelled for every category with a severity."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from forewarn.taxonomy import SEVERITIES

SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class Record:
    """A labelled passage: ``labels`` maps each present category to its severity."""

    id: str
    origin: str
    work: str
    split: str
    selection: str
    text: str
    labels: dict[str, str]


def read_corpus(folder: Path, splits: tuple[str, ...] = SPLITS) -> list[Record]:
    """The final records of ``folder/<split>.jsonl`` for each of ``splits``."""
    records = []
    for split in splits:
        path = folder / f"{split}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            records.append(
                Record(
                    row["id"],
                    row["origin"],
                    row["work"],
                    row["split"],
                    row["selection"],
                    row["text"],
                    row["labels"],
                )
            )
    return records


def label_matrix(records: list[Record], categories: list[str]) -> np.ndarray:
    """(records x categories) 0/1 presence."""
    column = {c: j for j, c in enumerate(categories)}
    y = np.zeros((len(records), len(categories)), dtype=np.int8)
    for i, r in enumerate(records):
        for c in r.labels:
            if c in column:
                y[i, column[c]] = 1
    return y


def severity_matrix(records: list[Record], categories: list[str]) -> np.ndarray:
    """(records x categories) severity index, -1 where the category is absent."""
    column = {c: j for j, c in enumerate(categories)}
    s = np.full((len(records), len(categories)), -1, dtype=np.int8)
    for i, r in enumerate(records):
        for c, sev in r.labels.items():
            if c in column:
                s[i, column[c]] = SEVERITIES.index(sev)
    return s


def is_ordinary(record: Record) -> bool:
    """A window drawn at random from a novel: what most of a book looks like."""
    return record.origin == "public-domain" and record.selection == "random"
