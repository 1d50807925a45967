"""Where an index's versions live on disk and how the current one is switched atomically.

`indexes/default` is a symlink to `indexes/default.versions/v000007/`, a complete index
(manifest.json, chunks.sqlite, dense.faiss). A writer builds the next version in a staging
folder, renames it into place, then replaces the symlink with `os.replace`: readers see the
old version or the new one, never a half-written one, and a `kill -9` leaves only a staging
folder that the next writer removes.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

from rag.errors import IndexBusy, IndexNotFound

MANIFEST = "manifest.json"
CHUNKS_DB = "chunks.sqlite"
DENSE = "dense.faiss"
LEXICAL = "lexical.npz"  # optional: BM25 term counts (rag.index.bm25); older versions lack it
FORMAT_VERSION = 1
_VERSION = re.compile(r"^v(\d{6})$")


def versions_dir(index: Path) -> Path:
    return index.with_name(index.name + ".versions")


def current_dir(index: Path) -> Path:
    """The folder of the version `index` points at; raises IndexNotFound when there is none."""
    target = Path(os.path.realpath(index))
    if not (target / MANIFEST).is_file():
        raise IndexNotFound(f"no index at {index}: build one with `gqa ingest FOLDER --index {index}`")
    return target


def list_versions(index: Path) -> list[Path]:
    folder = versions_dir(index)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _VERSION.match(p.name) and (p / MANIFEST).is_file())


def next_version_name(index: Path) -> str:
    numbers = [int(_VERSION.match(p.name).group(1)) for p in versions_dir(index).iterdir() if _VERSION.match(p.name)]
    return f"v{max(numbers, default=0) + 1:06d}"


def switch(index: Path, version: Path) -> None:
    """Point `index` at `version` atomically (a relative symlink, replaced by rename)."""
    if index.exists() and not index.is_symlink():
        raise IndexNotFound(f"{index} is a plain folder, not a versioned index; move it away or use another --index")
    tmp = index.with_name(f".{index.name}.switch-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(version, index.parent), tmp)
    os.replace(tmp, index)
    _fsync_dir(index.parent)


def prune_versions(index: Path, keep: int) -> None:
    """Delete all but the newest `keep` versions, and staging folders left by dead writers."""
    current = Path(os.path.realpath(index))
    for old in list_versions(index)[:-keep]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    for stale in versions_dir(index).glob("staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def writer_lock(index: Path):
    """One writer at a time per index; a second waits would be surprising, so it fails fast."""
    folder = versions_dir(index)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexBusy(f"another `gqa ingest` is writing {index}; wait for it to finish") from exc
        yield


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
