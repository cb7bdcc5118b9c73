"""`make test` runs the suite on SQLite, then, with ``DATABASE_URL`` set, again on PostgreSQL for
the tests that use a database: a test that uses none gives the same answer on both, and ran on
SQLite already. One that learns the configured database another way (the environment, the
settings, a process of its own) runs on both."""

import os
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import conftest

ROOT = Path(__file__).resolve().parents[1]


def item(path: Path, fixtures=(), marker=None):
    return SimpleNamespace(
        path=path,
        fixturenames=["settings", "monkeypatch", *fixtures],
        get_closest_marker=lambda name: marker if name == "django_db" else None,
    )


@pytest.fixture
def modules(tmp_path):
    pure = tmp_path / "test_pure.py"
    pure.write_text("def test_sum():\n    assert 1 + 1 == 2\n")
    configured = tmp_path / "test_configured.py"
    configured.write_text("import os\n\ndef test_url():\n    os.environ['DATABASE_URL']\n")
    spawned = tmp_path / "test_spawned.py"
    spawned.write_text("import subprocess\n")
    conftest._module_reads_the_configuration.cache_clear()
    yield SimpleNamespace(pure=pure, configured=configured, spawned=spawned)
    conftest._module_reads_the_configuration.cache_clear()


def run_hook(items, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("TESTS_WITHOUT_DATABASE", raising=False)
    else:
        monkeypatch.setenv("TESTS_WITHOUT_DATABASE", value)
    deselected = []
    config = SimpleNamespace(
        hook=SimpleNamespace(pytest_deselected=lambda items: deselected.extend(items))
    )
    conftest.pytest_collection_modifyitems(config, items)
    return deselected


def test_with_skip_only_the_tests_that_use_no_database_are_left_out(modules, monkeypatch):
    plain = item(modules.pure)
    with_db = item(modules.pure, ["db"])
    marked = item(modules.pure, marker=object())
    live = item(modules.pure, ["live_server"])
    module_data = item(modules.pure, ["django_db_setup"])
    reads_the_url = item(modules.configured)
    spawns = item(modules.spawned)
    items = [plain, with_db, marked, live, module_data, reads_the_url, spawns]

    deselected = run_hook(items, monkeypatch, "skip")

    assert deselected == [plain]
    assert items == [with_db, marked, live, module_data, reads_the_url, spawns]


@pytest.mark.parametrize("value", [None, "", "run"])
def test_without_skip_every_test_runs(modules, monkeypatch, value):
    items = [item(modules.pure), item(modules.pure, ["db"])]

    assert run_hook(items, monkeypatch, value) == []
    assert len(items) == 2


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_test_skips_them_on_postgresql_only():
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/nowhere"}
    recipe = subprocess.run(
        ["make", "-n", "--no-print-directory", "test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    [sqlite] = [
        line for line in recipe.splitlines() if "env -u DATABASE_URL" in line and "pytest" in line
    ]
    [postgresql] = [line for line in recipe.splitlines() if "TESTS_WITHOUT_DATABASE" in line]

    assert "TESTS_WITHOUT_DATABASE" not in sqlite
    assert "TESTS_WITHOUT_DATABASE=skip" in postgresql and "pytest" in postgresql
