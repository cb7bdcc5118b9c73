"""django-q2 entry points of matching.

``index_rebuild`` builds the matching index off the request path: queued after a change
(``matching.stamp.queue_rebuild``) and run every minute as a safety net (``setup_schedules``).
It writes the new version's files on the machine that runs it, under that machine's build lock;
web processes map it on their next request and answer from the previous version until then.
"""

from django.core.cache import cache

from matching import adapter
from matching.stamp import QUEUED_KEY

# An edit during a build makes the stamp move again; build again, a few times at most.
ROUNDS = 3


def index_rebuild() -> int:
    """Build the index for the current stamp unless this machine has it; returns the version
    counter value built (or found)."""
    cache.delete(QUEUED_KEY)  # an edit from now on queues another run
    for _ in range(ROUNDS):
        stamp = adapter.read_stamp()
        adapter.build_files(stamp)
        if adapter.read_stamp() == stamp:
            break
    return stamp.version
