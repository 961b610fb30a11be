"""Read an input file defensively: ordinary files only, and no bigger than a stated limit.

Every file the package reads as input (the CSV tables, ``scenarios.yaml``, a
scenario or sweep-spec file, the history and hazard tables, a sweep folder's
``sweep.json``) goes through :func:`read_input`, so a folder, a device such as
``/dev/zero``, a FIFO (which would block forever) or a file far larger than any
real input is refused with a located message instead of hanging or filling
memory. The limits are generous: the largest shipped file is under 0.2 MB.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from .errors import InputError, Problem

MB = 2**20
#: largest CSV table accepted (the hourly profile, 8760 rows, is 0.16 MB)
MAX_TABLE_BYTES = 64 * MB
#: largest YAML file accepted (scenarios.yaml is 0.02 MB)
MAX_YAML_BYTES = 4 * MB
#: largest JSON file of a sweep folder accepted (sweep.json holds the resolved scenario)
MAX_JSON_BYTES = 64 * MB


def check_regular(path: Path, rel: str, max_bytes: int) -> os.stat_result:
    """The file's ``stat``, or an :class:`InputError` saying why it cannot be an input."""
    try:
        st = os.stat(path)  # follows a symlink: what counts is what it points to
    except FileNotFoundError:
        raise InputError([Problem(rel, "does not exist" if not os.path.islink(path) else "is a symbolic link to nothing")]) from None
    except OSError as exc:
        raise InputError([Problem(rel, f"cannot be read ({exc.strerror})")]) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError([Problem(rel, "is a folder; expected a file")])
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "a device"
        raise InputError([Problem(rel, f"is {kind}, not an ordinary file; inputs must be ordinary files")])
    if st.st_size > max_bytes:
        raise InputError([Problem(rel, f"is {st.st_size / MB:,.1f} MB; the limit for this kind of file is {max_bytes / MB:,.0f} MB")])
    return st


def read_input(path: Path, rel: str | None = None, max_bytes: int = MAX_TABLE_BYTES) -> bytes:
    """The bytes of an ordinary file of at most ``max_bytes``; anything else is an :class:`InputError` naming ``rel``."""
    path = Path(path)
    rel = rel or str(path)
    check_regular(path, rel, max_bytes)
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO since the check, opening does not wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError([Problem(rel, f"cannot be read ({exc.strerror})")]) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError([Problem(rel, "is not an ordinary file; inputs must be ordinary files")])
        chunks, size = [], 0
        while size <= max_bytes:
            block = os.read(fd, 1 << 20)
            if not block:
                break
            chunks.append(block)
            size += len(block)
    except OSError as exc:
        raise InputError([Problem(rel, f"cannot be read ({exc.strerror})")]) from None
    finally:
        os.close(fd)
    if size > max_bytes:
        raise InputError([Problem(rel, f"grew beyond {max_bytes / MB:,.0f} MB while being read; the limit for this kind of file is {max_bytes / MB:,.0f} MB")])
    return b"".join(chunks)


def sha256_of(path: Path, rel: str | None = None, max_bytes: int = MAX_TABLE_BYTES) -> str:
    """SHA-256 of an input file read with :func:`read_input`."""
    return hashlib.sha256(read_input(path, rel, max_bytes)).hexdigest()
