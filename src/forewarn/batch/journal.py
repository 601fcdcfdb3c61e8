"""The results file is the journal: one JSON record per line, appended, flushed and fsynced.

A killed run leaves at most a torn last line (a write cut short); opening the journal again
detects it and truncates it away, so every complete line is a finished, durable result.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forewarn.errors import InputError


@dataclass(frozen=True)
class Done:
    """What the journal says about one id: the hash of the bytes scanned and the outcome."""

    sha256: str | None
    status: str


def _summary(record: dict[str, Any]) -> tuple[str, str | None, Done]:
    done = Done(record.get("sha256"), record.get("status", "error"))
    return record["id"], record.get("model_version"), done


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) and isinstance(value.get("id"), str) else None


class JournalReader:
    """Streams the complete records of a journal; afterwards tells where a torn tail starts.

    Raises InputError when a line other than the last is not a record: an interrupted append
    cannot cause that, so it is reported rather than silently dropped.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        #: Offset just past the last complete record line (where a torn tail starts).
        self.good_end = 0
        #: The last line is a complete record that lacks only its newline.
        self.unterminated = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with self.path.open("rb") as stream:
            for number, line in enumerate(stream, start=1):
                complete = line.endswith(b"\n")
                record = _parse(line) if line.strip() else None
                if record is None and line.strip():
                    if not complete:
                        return  # a torn last line: everything before good_end is intact
                    reason = f"line {number} is not a forewarn batch record; fix or remove it"
                    raise InputError(str(self.path), reason)
                self.good_end += len(line)
                self.unterminated = not complete and record is not None
                if record is not None:
                    yield record


def read_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every complete record in the journal, in order (a torn last line is ignored)."""
    return list(JournalReader(path))


def latest_records(path: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """The last record of each id: a work rescanned after a change supersedes its old line."""
    return {r["id"]: r for r in JournalReader(path)}


class Journal:
    """An open, exclusively locked journal that repairs itself on open and appends durably."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as exc:
            raise InputError(str(self.path), f"cannot open ({exc.strerror or exc})") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            raise InputError(str(self.path), "in use by another forewarn batch") from None
        try:
            reader = JournalReader(self.path)
            self._done = [_summary(r) for r in reader]
        except InputError:
            self.close()
            raise
        size = os.fstat(self._fd).st_size
        #: Bytes of a torn last line that were cut away on open (0 if the file was intact).
        self.repaired = size - reader.good_end
        if self.repaired:
            os.ftruncate(self._fd, reader.good_end)
        if reader.unterminated:
            self._write(b"\n")
        if self.repaired or reader.unterminated:
            os.fsync(self._fd)

    def done(self, model_version: str) -> dict[str, Done]:
        """Ids already recorded under ``model_version`` (their latest record)."""
        return {rid: done for rid, version, done in self._done if version == model_version}

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def append(self, record: dict[str, Any]) -> None:
        """Write one record as one line and make it durable before returning."""
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._write(line.encode("utf-8"))
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
