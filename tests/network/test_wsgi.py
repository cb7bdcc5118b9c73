"""The web's entry point imports its views and moves what it loaded out of the garbage
collector's reach (``gc.freeze``), then the survivors of its first full collections, so full
collections during requests walk only what the requests made."""

import functools
import json
import os
import subprocess
import sys

from django.conf import settings

SCRIPT = """
import gc, json, sys
if sys.argv[1] == "web":
    import network.wsgi
else:
    import django
    django.setup()
counts = {
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "views_imported": "intake.api" in sys.modules,
}
# What the first requests load and keep (here: 30,000 lists), then a full collection.
kept = [[n] for n in range(30_000)]
gc.collect()
counts["frozen_after_loading"] = gc.get_freeze_count()
counts["tracked_after_loading"] = len(gc.get_objects())
# What a request leaves behind in a reference cycle is still collected.
import weakref
class Node:
    pass
node = Node()
node.itself = node
gone = weakref.ref(node)
del node
gc.collect()
counts["cycle_collected"] = gone() is None
print(json.dumps(counts))
"""


@functools.cache
def _counts(entry: str) -> dict:
    """One process of each kind answers every test here: each start costs about a second."""
    finished = subprocess.run(
        [sys.executable, "-c", SCRIPT, entry],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "network.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_the_web_process_freezes_what_it_loaded():
    web = _counts("web")
    command = _counts("command")

    # Django and the apps are tens of thousands of objects; a command's process keeps them in
    # the collector's generations, the web's has them frozen and few left to walk.
    assert command["frozen"] == 0
    assert web["frozen"] > 20_000
    assert web["tracked"] < command["tracked"] // 4


def test_the_web_process_imports_its_views_before_the_freeze():
    # Not on its first request, after it: a command's process does not need them.
    assert _counts("web")["views_imported"] is True
    assert _counts("command")["views_imported"] is False


def test_the_web_process_freezes_what_its_first_requests_keep():
    web = _counts("web")
    command = _counts("command")

    # The 30,000 survived a full collection: the web froze them, a command keeps walking them.
    assert web["frozen_after_loading"] >= web["frozen"] + 30_000
    assert web["tracked_after_loading"] < 1_000
    assert command["frozen_after_loading"] == 0
    assert command["tracked_after_loading"] > 30_000
    # Garbage made later is collected as before.
    assert web["cycle_collected"] is True
