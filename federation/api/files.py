"""Reading a document file as text, defensively: regular files only (a FIFO or a device is never
opened), at most `MAX_FILE_BYTES`, UTF-8, and no character YAML forbids (NUL, other control
characters), each refusal one `Problem` naming the file and, where known, the line."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable

from federation.api.errors import Problem
from federation.api.limits import MAX_FILE_BYTES

# what YAML 1.1/1.2 allows in a stream (tab, line breaks, printable Unicode); libyaml refuses
# the rest with a bare "unacceptable character" and the pure-Python reader with a traceback
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")


def expand(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """The files to read for `paths`: a directory stands for every *.yaml, *.yml and *.json
    file directly in it, sorted by name (as `kubectl apply -f DIR`); anything else for itself
    (missing files are reported when read). A directory without such files stands for itself,
    so reading it reports the problem."""
    out: list[str] = []
    for p in paths:
        shown = os.fspath(p)
        if os.path.isdir(shown):
            found = sorted(
                os.path.join(shown, name)
                for name in os.listdir(shown)
                if name.endswith(DOCUMENT_SUFFIXES) and os.path.isfile(os.path.join(shown, name))
            )
            out.extend(found or [shown])
        else:
            out.append(shown)
    return out


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):g} MiB"


def kind_of(mode: int) -> str | None:
    """Why a file of this mode cannot be read as a document, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def refusal(path: str) -> str | None:
    """Why `path` cannot be read as a document (missing, not a regular file), without opening
    it; None when it can."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return "file not found"
    except OSError as e:
        return f"cannot read: {e.strerror or e}"
    except ValueError:  # an embedded NUL
        return "file not found"
    return kind_of(st.st_mode)


def read_bytes(path: str) -> tuple[bytes | None, Problem | None]:
    """The bytes of `path`, or the one problem that keeps it from being read."""
    why = refusal(path)
    if why is not None:
        return None, Problem(path, 0, "", why)
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO since the stat, opening must not wait
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        return None, Problem(path, 0, "", f"cannot read: {e.strerror or e}")
    try:
        why = kind_of(os.fstat(fd).st_mode)
        if why is not None:
            return None, Problem(path, 0, "", why)
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as e:
        return None, Problem(path, 0, "", f"cannot read: {e.strerror or e}")
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        return None, Problem(path, 0, "", f"larger than {_mib(MAX_FILE_BYTES)}, kfed's limit")
    return b"".join(chunks), None


def decode(raw: bytes, path: str) -> tuple[str | None, Problem | None]:
    """UTF-8 text (a leading byte order mark dropped), or where it is not."""
    for bom, name in _BOMS.items():
        if raw.startswith(bom):
            return None, Problem(
                path,
                1,
                "",
                f"not UTF-8 text: the file starts with a {name} byte order mark (save it as UTF-8)",
                syntax=True,
            )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        return None, Problem(
            path,
            line,
            "",
            f"not UTF-8 text: byte 0x{raw[e.start]:02X} at column {column}",
            syntax=True,
        )
    return text.removeprefix("\ufeff"), None


def check_text(text: str, path: str) -> Problem | None:
    """The first character YAML does not allow in `text`, as a problem; None if there is none.
    Files larger than `MAX_FILE_BYTES` (as UTF-8) are refused too."""
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        return Problem(path, 0, "", f"larger than {_mib(MAX_FILE_BYTES)}, kfed's limit")
    m = _FORBIDDEN.search(text)
    if m is None:
        return None
    line = text.count("\n", 0, m.start()) + 1
    column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    char = ord(m.group())
    what = "a NUL character" if char == 0 else f"control character U+{char:04X}"
    if 0xD800 <= char <= 0xDFFF or char in (0xFFFE, 0xFFFF):
        what = f"character U+{char:04X}"
    return Problem(path, line, "", f"{what} at column {column} is not allowed", syntax=True)
