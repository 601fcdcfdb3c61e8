"""Opening a story file: regular files only, never more than the input size limit.

Devices (/dev/zero, /dev/urandom), named pipes and sockets are refused from ``stat``, before
they are opened (a pipe with no writer would block for ever), symlinks to them too. The file
is then opened without blocking and checked again on the descriptor, so one swapped in after
the ``stat`` is refused the same way, and at most the limit plus one byte is ever read.
"""

from __future__ import annotations

import os
import stat

from forewarn.errors import InputError
from forewarn.limits import Limits

#: What each kind of file that is not a regular one is called in the refusal.
_KINDS = [
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
]


def read_file(path: str | os.PathLike[str], limits: Limits) -> bytes:
    """The bytes of the story file ``path``; InputError (one line) for anything else."""
    name = str(path)
    try:
        _check(name, os.stat(path), limits)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        with os.fdopen(fd, "rb") as stream:
            _check(name, os.fstat(stream.fileno()), limits)
            data = stream.read(limits.max_input_bytes + 1)
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except IsADirectoryError:
        raise InputError(name, "is a folder") from None
    except OSError as exc:
        raise InputError(name, f"cannot read file ({exc.strerror or exc})") from None
    if len(data) > limits.max_input_bytes:  # it grew after the check
        raise _too_large(name, len(data), limits)
    return data


def _check(name: str, info: os.stat_result, limits: Limits) -> None:
    """Refuse a folder, a file that is not a regular one, or one over the size limit."""
    if stat.S_ISDIR(info.st_mode):
        raise InputError(name, "is a folder; scan a folder with `forewarn scan FOLDER`")
    if not stat.S_ISREG(info.st_mode):
        kind = next((k for test, k in _KINDS if test(info.st_mode)), "not a regular file")
        raise InputError(name, f"is {kind}, not a story file; forewarn reads regular files only")
    if info.st_size > limits.max_input_bytes:
        raise _too_large(name, info.st_size, limits)


def _too_large(name: str, size: int, limits: Limits) -> InputError:
    return InputError(
        name,
        f"file is too large ({size / 2**20:.1f} MB; the limit is "
        f"{limits.max_input_bytes / 2**20:.0f} MB)",
    )
