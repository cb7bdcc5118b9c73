"""Fixtures for tests that run real processes (``manage.py qcluster``, Django scripts) against a
database the test shares with them; ``tests.helpers`` starts the scripts (``process_env``,
``run_django``) and waits for their effects (``wait_for``)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.helpers import ROOT


@pytest.fixture
def shared_database_url(transactional_db, tmp_path) -> str:
    """A DATABASE_URL for subprocesses, holding this test's (empty, migrated) database.

    The test runs with ``transaction=True``, so nothing it writes hides in an open transaction.
    On PostgreSQL the subprocesses use the test database itself. pytest-django keeps a SQLite
    test database in memory, which no other process can open: it is copied, schema and all, to
    a file with SQLite's backup API (much faster than migrating a new one). Either way the
    test reads the results through subprocesses too (``tests.helpers.run_django``), so it reads
    the same database on both engines.
    """
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "shared.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
            # WAL before any subprocess opens it: the processes' own switch (settings'
            # init_command) needs the file to themselves, which a starting cluster's
            # processes, all opening it at once, do not give each other.
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
        return f"sqlite:///{path}"
    if connection.vendor == "postgresql":
        user = settings["USER"] or "postgres"
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    pytest.skip(f"no shared database for {connection.vendor}")


class Cluster:
    """One ``manage.py qcluster`` in its own process group, its output in a file."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.log_path = log_path
        self._log = open(log_path, "w", encoding="utf-8")  # closed in stop() or kill()
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env={**env, "LOG_LEVEL": "INFO"},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers share its group: one signal reaches them all
        )

    def wait_running(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "running." in self.log_path.read_text(encoding="utf-8"):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"qcluster did not start:\n{self.log_path.read_text()}")

    def tail(self, lines: int = 30) -> str:
        """The end of the cluster's output, for a failure message."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL the cluster and its workers at once: no cleanup, no rollback handler."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self._log.close()

    def stop(self, timeout: float = 15) -> None:
        """Stop as an operator would (SIGTERM), then make sure nothing is left behind."""
        if self.process.poll() is None:
            # To the cluster only: its sentinel restores SIGTERM's default action, so a signal
            # to the whole group would kill the sentinel under the cluster's feet.
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # stragglers of the group, if any
        except ProcessLookupError:
            pass
        if self.process.poll() is None:
            self.process.wait(10)
        self._log.close()


@pytest.fixture
def clusters():
    """Start clusters with ``clusters(env, log_path)``; every one is stopped after the test."""
    started: list[Cluster] = []

    def start(env: dict[str, str], log_path: Path) -> Cluster:
        cluster = Cluster(env, log_path)
        started.append(cluster)
        return cluster

    yield start
    for cluster in started:
        if not cluster._log.closed:
            cluster.stop()
