"""The matching index as files: one directory per built version, mapped read-only by every process.

Pure (numpy, scipy, the standard library): ``matching.adapter`` decides where and when; this
module only writes, finds, maps and removes versions.

A version's directory holds one ``.npy`` file per array (a sparse matrix as its ``data``,
``indices`` and ``indptr``), ``meta.pickle`` with what is not an array (the normalizer, the
TF-IDF vectorizer, the skill and language names, the outside professionals, the version) and
``info.json`` (version, size, when and how fast it was built). It is written under a temporary
name in the same directory and renamed into place, so a reader finds a complete version or
none, and a build that fails leaves nothing behind.

Readers open the arrays with ``np.load(mmap_mode="r")``: the pages come from the operating
system's file cache, shared by every process of the machine that maps the same files, and a
worker that maps them adds only the pages it touches privately (none for the arrays). A version
removed while a process still maps it stays readable by that process (the inode lives on until
the last mapping goes).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import numpy as np
from scipy import sparse

from matching.index import MatchIndex

SPARSE_CSR = ("levels",)
SPARSE_CSC = ("level_weight_csc", "tfidf_csc", "external_skills")
META_FIELDS = (
    "normalizer",
    "externals",
    "skill_names",
    "skill_column",
    "vectorizer",
    "language_codes",
    "location_names",
    "status_names",
    "version",
)
INFO = "info.json"
META = "meta.pickle"
LOCK = ".build.lock"
TEMPORARY_PREFIX = ".building-"
# A temporary directory this old was left by a build that died (a killed process).
ABANDONED_SECONDS = 3600


def array_fields() -> list[str]:
    """The index's plain array fields, in declaration order."""
    skip = {*SPARSE_CSR, *SPARSE_CSC, *META_FIELDS}
    return [f.name for f in fields(MatchIndex) if not f.name.startswith("_") and f.name not in skip]


def save(index: MatchIndex, directory: Path, name: str, info: dict) -> Path:
    """Write ``index`` as ``directory/name`` and return that path.

    Written in a temporary directory and renamed into place. When ``name`` exists already
    (another process built the same version) the existing one is kept and this copy dropped.
    """
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    temporary = Path(tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{name}-", dir=directory))
    try:
        for field_name in array_fields():
            np.save(temporary / f"{field_name}.npy", np.asarray(getattr(index, field_name)))
        for field_name in (*SPARSE_CSR, *SPARSE_CSC):
            matrix = getattr(index, field_name)
            for part in ("data", "indices", "indptr"):
                np.save(temporary / f"{field_name}.{part}.npy", getattr(matrix, part))
            np.save(temporary / f"{field_name}.shape.npy", np.asarray(matrix.shape, np.int64))
        with open(temporary / META, "wb") as meta:
            pickle.dump(
                {name: getattr(index, name) for name in META_FIELDS},
                meta,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        (temporary / INFO).write_text(json.dumps(info))
        # mkdtemp makes it 0700; the web and task processes may run as different users. Read
        # and list only: nobody but the owner writes.
        os.chmod(temporary, 0o755)  # noqa: S103
        try:
            os.rename(temporary, target)
        except OSError:
            if not (target / INFO).exists():
                raise
            # Another process renamed the same version into place first: keep theirs.
            shutil.rmtree(temporary, ignore_errors=True)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return target


def _load_array(path: Path) -> np.ndarray:
    """One array, mapped read-only (an empty array is read: an empty map is refused).

    Returned as a plain ``ndarray`` view of the ``np.memmap`` (its ``base``): the same pages,
    without the subclass's bookkeeping on every slice, which a ranking makes by the hundred.
    """
    array = np.load(path, mmap_mode="r", allow_pickle=False)
    if array.size == 0:
        return np.load(path, allow_pickle=False)
    return array.view(np.ndarray)


def load(path: Path) -> MatchIndex:
    """The index written at ``path``, its arrays mapped read-only from the files."""
    with open(path / META, "rb") as meta:
        values = pickle.load(meta)  # noqa: S301 - our own files, written by save() above
    for field_name in array_fields():
        values[field_name] = _load_array(path / f"{field_name}.npy")
    for field_name in (*SPARSE_CSR, *SPARSE_CSC):
        kind = sparse.csr_matrix if field_name in SPARSE_CSR else sparse.csc_matrix
        parts = [_load_array(path / f"{field_name}.{part}.npy") for part in ("data", "indices")]
        indptr = _load_array(path / f"{field_name}.indptr.npy")
        shape = tuple(int(size) for size in np.load(path / f"{field_name}.shape.npy"))
        matrix = kind(shape, dtype=parts[0].dtype)
        # Set the parts directly: the constructor may choose a narrower index type and copy.
        matrix.data, matrix.indices, matrix.indptr = parts[0], parts[1], indptr
        values[field_name] = matrix
    return MatchIndex(**values)


def info(path: Path) -> dict | None:
    """The ``info.json`` of a complete version, or None."""
    try:
        return json.loads((path / INFO).read_text())
    except (OSError, ValueError):
        return None


def versions(directory: Path) -> list[tuple[Path, dict]]:
    """The complete versions under ``directory``, newest build first."""
    try:
        entries = list(directory.iterdir())
    except FileNotFoundError:
        return []
    found = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        details = info(entry)
        if details is not None:
            found.append((entry, details))
    found.sort(key=lambda item: (item[1].get("built_at", 0), item[1].get("version", 0)))
    return found[::-1]


def clean(directory: Path, *, keep: int = 2) -> list[Path]:
    """Remove all but the ``keep`` newest versions, and temporary directories abandoned by dead
    builds; returns what was removed. Processes mapping a removed version keep reading it."""
    removed = []
    for path, _details in versions(directory)[keep:]:
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    cutoff = time.time() - ABANDONED_SECONDS
    for entry in directory.glob(f"{TEMPORARY_PREFIX}*"):
        with contextlib.suppress(OSError):
            if entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


@contextlib.contextmanager
def build_lock(directory: Path, *, wait: bool = True) -> Iterator[bool]:
    """The machine's build lock (``flock`` on a file in ``directory``): one build at a time
    among the processes that share the directory. Yields False without waiting when ``wait`` is
    False and another process holds it. The kernel releases it if the holder dies."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_building(directory: Path) -> bool:
    """Whether some process holds the build lock now."""
    with build_lock(directory, wait=False) as acquired:
        return not acquired
