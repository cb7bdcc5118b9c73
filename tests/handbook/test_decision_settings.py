"""DECISION_QUORUM_PERCENT: read from the environment like the other settings, refused outside
1-100, and listed in .env.example."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import settings_in_a_new_process

ROOT = Path(__file__).resolve().parents[2]


def test_the_quorum_share_defaults_to_half():
    assert settings_in_a_new_process("s.DECISION_QUORUM_PERCENT") == 50


def test_the_quorum_share_is_read_from_the_environment():
    assert (
        settings_in_a_new_process("s.DECISION_QUORUM_PERCENT", DECISION_QUORUM_PERCENT="67") == 67
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "below the minimum of 1"),
        ("101", "must be between 1 and 100"),
        ("half", "is not a whole number"),
    ],
)
def test_a_quorum_share_that_cannot_be_right_stops_the_process(value, message):
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "network.settings",
        "DECISION_QUORUM_PERCENT": value,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert message in result.stderr


def test_the_quorum_share_is_listed_in_the_example_environment():
    lines = (ROOT / ".env.example").read_text().splitlines()

    assert "DECISION_QUORUM_PERCENT=50" in lines
