"""The files commands write — reports, workbooks, charts, the template: checked before the
work starts, and written whole or not at all.

:class:`OutputFile` is the click type of every argument or option that names a file to
write. It refuses, as a usage error (exit 2) in the user's language, a path whose folder
does not exist or cannot be written to, or that is itself a folder — before the command
computes anything, so a long simulation is not lost to a typo in ``--chart``.

:func:`write_output` writes through a temporary file in the same folder, flushed to disk
and renamed over the target (``os.replace``, atomic on POSIX and Windows): a crash, a
full disk or Ctrl-C in the middle leaves the old file (or none) and no temporary file,
never half a report. A failure raises :class:`effekt.errors.OutputError` (exit 1) naming
the file and the reason.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from effekt.errors import OutputError
from effekt.i18n import Phrase, translate

__all__ = ["OutputFile", "write_output"]

#: Reasons a file cannot be written, by errno, as catalog phrases.
_REASONS = {
    errno.ENOENT: "output.reason.no_folder",
    errno.ENOTDIR: "output.reason.no_folder",
    errno.EACCES: "output.reason.denied",
    errno.EPERM: "output.reason.denied",
    errno.EISDIR: "output.reason.is_folder",
    errno.ENOSPC: "output.reason.disk_full",
    errno.EDQUOT: "output.reason.disk_full",
    errno.EROFS: "output.reason.read_only",
    errno.ENAMETOOLONG: "output.reason.name_too_long",
}


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _problem(path: Path) -> tuple[str, dict[str, str]] | None:
    """Why ``path`` cannot be written, as (catalog code, parameters), or None."""
    folder = _folder(path)
    if path.is_dir():
        return "output.is_folder", {"path": str(path)}
    if not folder.exists():
        return "output.no_folder", {"folder": str(folder)}
    if not folder.is_dir():
        return "output.not_a_folder", {"folder": str(folder)}
    if not os.access(folder, os.W_OK | os.X_OK):
        return "output.folder_denied", {"folder": str(folder)}
    if path.exists() and not os.access(path, os.W_OK):
        return "output.file_denied", {"path": str(path)}
    return None


if TYPE_CHECKING:  # click ≥ 8.5 types ParamType by its value and input; older click does not
    _ParamType = click.ParamType[str, Any]
else:
    _ParamType = click.ParamType


class OutputFile(_ParamType):
    """A file to write: it must be named (not ``""``), its folder must exist and be
    writable, it must not be a folder, and its name must end in one of ``suffixes`` — the
    format written (an SVG chart is not written into ``chart.png``)."""

    name = "file"

    def __init__(self, *suffixes: str) -> None:
        self.suffixes = suffixes

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from effekt.cli.conventions import language

        text = str(os.fspath(value))
        if not text:  # Path("") is the current folder: not what an empty argument means
            self.fail(translate("output.no_name", language(None)), param, ctx)
        problem = _problem(Path(text))
        if problem is None and self.suffixes and Path(text).suffix.lower() not in self.suffixes:
            problem = "output.wrong_suffix", {"path": text, "suffixes": " / ".join(self.suffixes)}
        if problem is not None:
            code, params = problem
            self.fail(translate(code, language(None), **params), param, ctx)
        return text


def _mode(target: Path) -> int:
    """The permissions the written file gets: the old file's, else the umask's default."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_output(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; raise OutputError if it cannot be."""
    target = Path(os.path.realpath(path))  # through a symbolic link, not over it
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=_folder(target), prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode(target))
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        code = _REASONS.get(exc.errno or 0)
        if exc.errno == errno.ENOENT and _folder(target).is_dir():
            code = "output.reason.cannot_create"  # a folder such as /proc
        reason: Phrase | str = Phrase(code) if code else (exc.strerror or type(exc).__name__)
        raise OutputError("output.cannot_write", path=os.fspath(path), reason=reason) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
