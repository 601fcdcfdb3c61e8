"""The results file is the journal: one JSON record per line, appended, flushed and fsynced.

A killed run leaves at most a torn last line (a write cut short); opening the journal again
detects it and truncates it away, so every complete line is a finished, durable result. A
write that fails (disk full) is cut away at once, so the journal stays resumable. A complete
line that is not a record (damage from elsewhere) is left as it is, ignored and reported.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forewarn.errors import InputError
from forewarn.jsonl import parse


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
        value = parse(line)
    except ValueError:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        return None
    return value if value.get("status") in ("ok", "error") else None


class JournalReader:
    """Streams the complete records of a journal; afterwards tells where a torn tail starts.

    A complete line that is not a record is skipped and its number kept in ``damaged`` (an
    interrupted append cannot cause that, so it is reported, not dropped). A file of lines
    none of which is a record is not a journal: InputError, so that no other file is appended.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        #: Offset just past the last complete line (where a torn tail starts).
        self.good_end = 0
        #: The last line is a complete record that lacks only its newline.
        self.unterminated = False
        #: Numbers of the complete lines that are not records.
        self.damaged: list[int] = []

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        records = 0
        with self.path.open("rb") as stream:
            for number, line in enumerate(stream, start=1):
                complete = line.endswith(b"\n")
                record = _parse(line) if line.strip() else None
                if record is None and line.strip():
                    if not complete:
                        break  # a torn last line: everything before good_end is intact
                    self.damaged.append(number)
                self.good_end += len(line)
                self.unterminated = not complete and record is not None
                if record is not None:
                    records += 1
                    yield record
        if self.damaged and not records:
            reason = f"not a forewarn batch journal (line {self.damaged[0]} is not a batch record)"
            raise InputError(str(self.path), reason)


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
        #: A regular file is read, repaired and fsynced; a device or pipe is only written.
        self.regular = stat.S_ISREG(os.fstat(self._fd).st_mode)
        reader = JournalReader(self.path)
        try:
            self._done = [_summary(r) for r in reader] if self.regular else []
        except InputError:
            self.close()
            raise
        #: Numbers of lines that are not records (left as they are and ignored).
        self.damaged = reader.damaged
        #: Bytes of a torn last line that were cut away on open (0 if the file was intact).
        self.repaired = os.fstat(self._fd).st_size - reader.good_end if self.regular else 0
        self._end = reader.good_end
        try:
            if self.repaired:
                self._durably(lambda: os.ftruncate(self._fd, reader.good_end))
            if reader.unterminated:
                self._durably(lambda: self._write(b"\n"))
        except InputError:
            self.close()
            raise

    def done(self, model_version: str) -> dict[str, Done]:
        """Ids already recorded under ``model_version`` (their latest record)."""
        return {rid: done for rid, version, done in self._done if version == model_version}

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def append(self, record: dict[str, Any]) -> None:
        """Write one record as one line and make it durable before returning.

        Raises InputError if the write fails (disk full, ...), with the line cut away again.
        """
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._durably(lambda: self._write(line.encode("utf-8")))

    def _durably(self, change: Callable[[], None]) -> None:
        """Apply ``change`` and fsync; on failure restore the last good end and raise."""
        try:
            change()
            if self.regular:
                os.fsync(self._fd)
                self._end = os.fstat(self._fd).st_size
        except OSError as exc:
            if self.regular:  # if this fails too, the torn tail is cut off on the next open
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, self._end)
            reason = (
                f"cannot write ({exc.strerror or exc}); every work recorded before is kept: "
                "run the same command again to resume"
            )
            raise InputError(str(self.path), reason) from None

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
