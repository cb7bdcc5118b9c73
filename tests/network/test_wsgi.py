"""The web's entry point moves what it loaded out of the garbage collector's reach
(``gc.freeze``), so full collections during requests walk only what the requests made."""

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
print(json.dumps({"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects())}))
"""


def _counts(entry: str) -> dict:
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
