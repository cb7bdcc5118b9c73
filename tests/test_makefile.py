"""The interpreter the Makefile makes ``.venv`` with: the operating system's python3.11 when it
can make a virtualenv (distributions build it with profile-guided and link-time optimisation),
else the first python3.11 or python3 on PATH; ``make PYTHON=…`` chooses."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = "/usr/bin/python3.11"


def make_python(*assignments: str) -> str:
    """``$(PYTHON)`` as make expands it, read through a target given on the command line (the
    Makefile's own targets are not run)."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHON"}
    answer = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval=show-python: ; @echo '$(PYTHON)'"]
        + list(assignments)
        + ["show-python"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return answer.stdout.strip()


def system_python_makes_virtualenvs() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import ensurepip, venv"], capture_output=True)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@pytest.mark.skipif(
    not system_python_makes_virtualenvs(),
    reason=f"{SYSTEM_PYTHON} is missing or cannot make a virtualenv here",
)
def test_the_system_python_comes_first():
    assert make_python() == SYSTEM_PYTHON


def test_without_it_the_first_python_on_path():
    expected = shutil.which("python3.11") or shutil.which("python3")
    assert make_python("SYSTEM_PYTHON=") == expected


def test_python_on_the_command_line_wins():
    assert make_python("PYTHON=/opt/python/bin/python3.11") == "/opt/python/bin/python3.11"
