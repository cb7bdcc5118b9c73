"""What importing matching loads: the engine needs no Django, and a request's workflow (which
only bumps the index version) loads no engine.

Each check runs in a new interpreter, so modules this test process already holds do not count.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "scipy", "sklearn")


def _run(code: str) -> str:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(ROOT),
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "network.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_engine_imports_no_django():
    loaded = _run(
        "import sys\n"
        "import matching.extract, matching.index, matching.learned, matching.normalize\n"
        "import matching.rank, matching.teams, matching.types\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'django', 'intake'}))"
    )

    assert loaded == "[]"


def test_a_requests_workflow_loads_no_engine():
    loaded = _run(
        "import json, sys\n"
        "import django\n"
        "django.setup()\n"
        f"on_start = sorted(set(sys.modules) & {set(HEAVY)!r})\n"
        "import intake.workflow\n"
        f"print(json.dumps([on_start, sorted(set(sys.modules) & {set(HEAVY)!r})]))"
    )

    on_start, with_workflow = json.loads(loaded)
    assert on_start == [], "starting Django (the apps' ready hooks) loaded the engine"
    assert with_workflow == [], "importing intake.workflow loaded the engine"
