"""Atomic writing of result files: a file is either the old one or the complete new one.

A file is written to a hidden temporary file beside it (``.NAME.XXXX.tmp``) and renamed
over it; ``remove_leftovers`` clears what a killed writer left of those. Long partial files
(a trace spilled while a run goes on) are kept out of result folders: ``partial_path``.
"""

import gzip
import json
import os
import secrets
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from cimsim.errors import OutputError


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) atomically, see write_bytes_atomic."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename it over."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write results: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, 0o644)  # mkstemp creates 0600; results are ordinary readable files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_stream_atomic(path: Path, chunks: Iterable[str], compress: bool = False) -> None:
    """Write the text ``chunks`` (UTF-8) one after another, gzip-compressed if ``compress``
    (no timestamp or name in the gzip header: the same text gives the same bytes), to a
    temporary file beside ``path``, then rename it over: memory holds one chunk at a time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write results: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as handle:
            if compress:
                with gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=handle,
                                   mtime=0) as packed:  # fmt: skip
                    for chunk in chunks:
                        packed.write(chunk.encode("utf-8"))
            else:
                for chunk in chunks:
                    handle.write(chunk.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    """JSON with sorted keys and a trailing newline, written atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def write_csv_atomic(path: Path, frame: pd.DataFrame) -> None:
    """CSV without the index, written atomically."""
    write_text_atomic(path, frame.to_csv(index=False, lineterminator="\n"))


def remove_file(path: Path) -> None:
    """Delete ``path`` if it exists; OutputError when it cannot be."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot remove: {exc.strerror or exc}") from None


def remove_leftovers(folder: Path, names: Iterable[str]) -> None:
    """Delete the temporary files that atomic writes of ``names`` in ``folder`` left behind
    when their writer was killed (and the partial trace earlier versions kept there)."""
    if not folder.is_dir():
        return
    for name in names:
        for leftover in folder.glob(f".{name}*.tmp"):
            remove_file(leftover)
    remove_file(folder / ".trace.partial.parquet")


def partial_path(suffix: str) -> Path:
    """A new path in the system's temporary folder (``TMPDIR``) for a file that grows while
    a run goes on and is moved into place when it ends; nothing is created yet."""
    name = f"cimsim-{os.getpid()}-{secrets.token_hex(6)}{suffix}"
    return Path(tempfile.gettempdir()) / name
