"""Let each process keep the memory it frees, so large short-lived arrays reuse it.

glibc's allocator hands out blocks above a threshold as fresh mappings and returns them on free,
and gives back the top of its heap once more than a few hundred kilobytes are free there. A
ranking over a large network makes a dozen arrays of several megabytes per request, so every
request maps and faults in tens of megabytes again: at a million members that is half of a
ranking's time. ``keep_freed_memory`` raises both thresholds with ``mallopt``, which glibc allows
at run time; other C libraries (musl, macOS) are left as they are.
"""

from __future__ import annotations

import ctypes

# mallopt's parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# glibc refuses a mapping threshold above half its largest heap: 32 MB on 64-bit systems.
MMAP_THRESHOLD_MAX = 32 * 2**20


def _glibc():
    """The running glibc, or None on another C library."""
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 -- only glibc has it
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def keep_freed_memory(megabytes: int) -> bool:
    """Keep up to ``megabytes`` of freed memory at the top of the heap, and allocate blocks of
    up to half of it (at most 32 MB) from the heap instead of fresh mappings.

    0 leaves the allocator's defaults. Returns whether the thresholds were set.
    """
    if megabytes <= 0:
        return False
    libc = _glibc()
    if libc is None:
        return False
    keep = megabytes * 2**20
    mapped = libc.mallopt(M_MMAP_THRESHOLD, min(keep // 2, MMAP_THRESHOLD_MAX))
    trimmed = libc.mallopt(M_TRIM_THRESHOLD, keep)
    return bool(mapped and trimmed)
