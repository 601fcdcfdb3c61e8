"""Batch inputs: story files, folders of them, and JSONL of ``{"id", "text"}`` / ``{"id", "path"}``.

A :class:`Work` is a small reference (an id and where its bytes are), not the text itself, so
a batch of millions of works can be listed cheaply and each worker reads its own work.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from forewarn.batch.record import sha256_of
from forewarn.errors import InputError
from forewarn.jsonl import Line, iter_lines, line_cap, parse
from forewarn.limits import Limits
from forewarn.readers import iter_story_files, read_path


@dataclass(frozen=True)
class Work:
    """One work to scan: its ``payload`` itself, a file at ``path``, or a JSONL line at ``line``.

    A work whose input entry is itself broken carries ``error`` (and ``sha256`` of the entry,
    so that a re-run recognises it as done).
    """

    id: str
    source: str
    path: str | None = None
    line: tuple[str, int] | None = None
    error: str | None = None
    sha256: str | None = None
    payload: bytes | str | None = None

    def load(self) -> bytes | str:
        """The work's bytes (a file) or text (a JSONL ``text``); raises InputError."""
        if self.payload is not None:
            return self.payload
        if self.line is not None:
            jsonl, offset = self.line
            try:
                with open(jsonl, "rb") as stream:
                    stream.seek(offset)
                    line = next(iter_lines(stream, line_cap(Limits.from_env())), None)
                item = parse(line.raw) if line is not None and line.raw is not None else None
            except OSError as exc:
                raise InputError(self.source, f"cannot read ({exc.strerror or exc})") from None
            except ValueError:
                item = None
            text = item.get("text") if isinstance(item, dict) else None
            if not isinstance(text, str):
                raise InputError(self.source, "the line changed since the batch started")
            return text
        if self.path is None:
            raise InputError(self.source, self.error or "nothing to read")
        file = Path(self.path)
        try:
            if file.is_file() and file.stat().st_size <= Limits.from_env().max_input_bytes:
                return file.read_bytes()
        except OSError:
            pass
        read_path(file)  # raises the reader's one-line reason: no such file, too large, ...
        raise InputError(self.source, "cannot read file")


def iter_works(inputs: list[str]) -> Iterator[Work]:
    """Every work named by ``inputs``; ids of files in a folder are paths relative to it."""
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            for file in iter_story_files(path):
                yield Work(id=file.relative_to(path).as_posix(), source=str(file), path=str(file))
        elif path.suffix.lower() == ".jsonl":
            yield from _jsonl_works(path)
        else:
            yield Work(id=name, source=name, path=name)


def _jsonl_works(jsonl: Path) -> Iterator[Work]:
    try:
        stream = jsonl.open("rb")
    except OSError as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else exc.strerror
        yield Work(id=str(jsonl), source=str(jsonl), error=f"cannot read ({reason})")
        return
    limits = Limits.from_env()
    with stream:
        for line in iter_lines(stream, line_cap(limits)):
            if line.raw is None:
                where = f"{jsonl}:{line.number}"
                reason = (
                    f"line is too large ({line.size / 2**20:.1f} MB; a line may hold a text of "
                    f"at most {limits.max_input_bytes / 2**20:.0f} MB)"
                )
                yield Work(id=where, source=where, error=reason)
            elif line.raw.strip():
                yield _jsonl_work(jsonl, line)


def _jsonl_work(jsonl: Path, line: Line) -> Work:
    """The work of one line; a line that is not a usable work is an error for its number."""
    raw, where = line.raw or b"", f"{jsonl}:{line.number}"
    try:
        item = parse(raw)
    except ValueError as exc:
        return Work(id=where, source=where, error=f"not JSON ({exc})", sha256=sha256_of(raw))
    work_id = item.get("id") if isinstance(item, dict) else None
    if not isinstance(work_id, str | int) or isinstance(work_id, bool):
        reason = 'each line must be an object with an "id" (string or number)'
        return Work(id=where, source=where, error=reason, sha256=sha256_of(raw))
    work_id = str(work_id)
    if isinstance(item.get("text"), str):
        return Work(id=work_id, source=f"{jsonl}#{work_id}", line=(str(jsonl), line.offset))
    if isinstance(item.get("path"), str):
        file = jsonl.parent / item["path"]
        return Work(id=work_id, source=str(file), path=str(file))
    reason = 'needs a "text" or a "path" string'
    return Work(id=work_id, source=where, error=reason, sha256=sha256_of(raw))
