"""django-q2 entry points of matching.

A large network's index takes seconds to build; run ``index_rebuild`` after a bulk import (or
on a schedule) so the web processes load the built index from the cache instead of each
building its own: ``async_task("matching.tasks.index_rebuild")``.
"""

from matching import adapter


def index_rebuild() -> int:
    """Build the index for the current stamp and share it through the cache; returns its
    version counter value."""
    stamp = adapter.read_stamp()
    adapter.share_index(adapter.build(stamp))
    return stamp.version
