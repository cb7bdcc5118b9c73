"""The matching index built off the request path and mapped from files (background mode).

A change moves the stamp; requests keep answering from the previous version while a task builds
the next one under the machine's lock; a failed build leaves the previous version answering and
no half-written files; every process maps the same files instead of holding its own copy.
"""

import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from matching import adapter, index_files, stamp, tasks
from tests.factories import ConsultantFactory, ConsultantSkillFactory, SkillFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def background(settings):
    settings.MATCHING_INDEX_BUILD = "background"
    adapter.forget_index()
    cache.clear()
    yield
    adapter.forget_index()
    cache.clear()


@pytest.fixture
def queued(monkeypatch):
    """Records the rebuilds queued; the task does not run (tests run tasks inline, and a
    queued build must not be the request's own)."""
    calls = []

    def fake_async_task(func, *args, **kwargs):
        calls.append(func)

    monkeypatch.setattr("django_q.tasks.async_task", fake_async_task)
    return calls


@pytest.fixture
def builds(monkeypatch):
    """Counts the index builds (and still builds)."""
    calls = []
    real_build = adapter.build

    def counting_build(stamp=None):
        calls.append(stamp)
        return real_build(stamp)

    monkeypatch.setattr(adapter, "build", counting_build)
    return calls


@pytest.fixture
def network(db):
    civicrm = SkillFactory(name="CiviCRM")
    first = ConsultantFactory(display_name="Member 01 · CRM")
    ConsultantSkillFactory(consultant=first, skill=civicrm, level=5)
    return {"civicrm": civicrm, "first": first}


def ranked_ids(**fields) -> list[int]:
    profile = adapter.request_profile(skills=["CiviCRM"], **fields)
    return [candidate.consultant_id for candidate in adapter.match(profile).candidates]


def add_second_member(network):
    second = ConsultantFactory(display_name="Member 02 · CRM")
    ConsultantSkillFactory(consultant=second, skill=network["civicrm"], level=5)
    return second


def built_versions() -> list[str]:
    return sorted(path.name for path, _info in index_files.versions(adapter.index_directory()))


def leftovers() -> list[str]:
    pattern = f"{index_files.TEMPORARY_PREFIX}*"
    return [path.name for path in adapter.index_directory().glob(pattern)]


# --- Hand-over ---------------------------------------------------------------------------------


def test_the_first_request_on_a_machine_with_no_index_builds_once(network, builds, queued):
    assert ranked_ids() == [network["first"].pk]
    assert ranked_ids() == [network["first"].pk]

    assert len(builds) == 1
    assert len(built_versions()) == 1


def test_after_a_change_a_request_answers_from_the_previous_version_and_queues_a_build(
    network, builds, queued, django_assert_max_num_queries
):
    ranked_ids()
    answering = adapter.current_index()
    second = add_second_member(network)
    queued.clear()

    with django_assert_max_num_queries(1):  # the stamp; no build, no profile read
        index = adapter.current_index()

    assert index is answering
    assert index.version != adapter.read_stamp(), "stale: the previous version answers"
    assert ranked_ids() == [network["first"].pk]
    assert len(builds) == 1, "a request never builds once a version exists"
    assert queued == ["matching.tasks.index_rebuild"], "one build queued for many requests"
    assert adapter.index_status()["stale"] is True

    assert tasks.index_rebuild() == adapter.read_stamp().version

    assert sorted(ranked_ids()) == [network["first"].pk, second.pk]
    assert len(builds) == 2
    assert adapter.index_status()["stale"] is False


def test_a_stale_version_answers_while_a_build_is_running(network, builds, queued):
    """The build runs in another thread, held on an event inside the builder: the request
    does not wait for it and does not build."""
    ranked_ids()
    second = add_second_member(network)
    new_stamp = adapter.read_stamp()
    prepared = adapter.build(new_stamp)  # read the database here; the thread only writes files
    started, release = threading.Event(), threading.Event()

    def blocked_build(stamp=None):
        started.set()
        assert release.wait(30)
        return prepared

    builder = threading.Thread(target=adapter.build_files, args=(new_stamp,))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(adapter, "build", blocked_build)
        builder.start()
        try:
            assert started.wait(30)
            assert index_files.is_building(adapter.index_directory())
            assert adapter.index_status()["building"] is True

            assert ranked_ids() == [network["first"].pk], "the previous version answers"
        finally:
            release.set()
            builder.join(30)

    assert sorted(ranked_ids()) == [network["first"].pk, second.pk]
    assert len(builds) == 2  # the first version, and ``prepared`` (the thread's build)


def test_a_failed_build_keeps_the_old_version_answering_and_leaves_no_files(
    network, queued, monkeypatch
):
    ranked_ids()
    before = built_versions()
    add_second_member(network)

    def failing_build(stamp=None):
        raise RuntimeError("the build broke")

    monkeypatch.setattr(adapter, "build", failing_build)
    with pytest.raises(RuntimeError):
        tasks.index_rebuild()

    assert built_versions() == before
    assert leftovers() == []
    assert ranked_ids() == [network["first"].pk]
    assert adapter.index_status()["stale"] is True


def test_a_build_that_fails_while_writing_leaves_no_half_written_version(network, monkeypatch):
    ranked_ids()
    before = built_versions()
    add_second_member(network)
    real_save = np.save
    written = []

    def save_then_fail(path, array, *args, **kwargs):
        written.append(path)
        if len(written) == 5:
            raise OSError("disk full")
        return real_save(path, array, *args, **kwargs)

    monkeypatch.setattr(index_files.np, "save", save_then_fail)
    with pytest.raises(OSError, match="disk full"):
        adapter.build_files()

    assert len(written) == 5
    assert built_versions() == before
    assert leftovers() == []


def test_a_change_queues_one_rebuild_after_its_transaction_commits(
    network, queued, django_capture_on_commit_callbacks
):
    # The network's own rows registered one already, in the test's transaction, never
    # committed: start as if it had been.
    connection.run_on_commit.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        network["first"].bio = "Databases."
        network["first"].save()
        add_second_member(network)  # more bumps in the same transaction

    assert [callback for callback in callbacks if callback is stamp.queue_rebuild] == [
        stamp.queue_rebuild
    ]
    assert queued == ["matching.tasks.index_rebuild"]


def test_inline_mode_builds_the_new_version_in_the_request(network, builds, settings, queued):
    settings.MATCHING_INDEX_BUILD = "inline"
    ranked_ids()
    second = add_second_member(network)

    assert sorted(ranked_ids()) == [network["first"].pk, second.pk]
    assert len(builds) == 2
    assert queued == []


def test_two_versions_are_kept(network, queued):
    for _ in range(3):
        tasks.index_rebuild()
        add_second_member(network)

    versions = index_files.versions(adapter.index_directory())
    assert len(versions) == 2
    assert versions[0][1]["version"] > versions[1][1]["version"]


# --- Mapped, one copy per machine ---------------------------------------------------------------


def mapped_file(array) -> Path | None:
    """The file ``array``'s memory maps (through any views), or None."""
    while array is not None:
        if isinstance(array, np.memmap):
            return Path(array.filename)
        array = getattr(array, "base", None)
    return None


def mapped(array) -> bool:
    """Whether ``array``'s memory is a file mapping (through any views)."""
    return mapped_file(array) is not None


def test_the_index_answering_is_mapped_from_the_files_not_copied(network, queued):
    index = adapter.current_index()

    for name in index_files.array_fields():
        value = getattr(index, name)
        assert value.size == 0 or mapped(value), name
    for name in (*index_files.SPARSE_CSR, *index_files.SPARSE_CSC):
        matrix = getattr(index, name)
        for part in (matrix.data, matrix.indices, matrix.indptr):
            assert part.size == 0 or mapped(part), name
    with pytest.raises(ValueError, match="read-only"):
        index.free_hours[0] = 1.0


def test_two_loads_map_the_same_files(network, queued):
    path = adapter.build_files()

    one, two = index_files.load(path), index_files.load(path)

    assert mapped_file(one.consultant_ids) == mapped_file(two.consultant_ids)
    assert mapped_file(one.consultant_ids) == path / "consultant_ids.npy"
    assert mapped_file(one.tfidf_csc.indices) == path / "tfidf_csc.indices.npy"
    assert mapped(one.tfidf_csc.indices) and mapped(two.tfidf_csc.indices)
    assert one.name_of(0) == two.name_of(0) == "Member 01 · CRM"


WORKER = """
import json, sys
import django
django.setup()
from matching import index_files
from pathlib import Path
path = Path(sys.argv[1])
index = index_files.load(path)
index.tfidf_csc.data.sum()  # touch the pages
maps = open("/proc/self/maps").read()
names = ("tfidf_csc.data.npy", "consultant_ids.npy")
print(json.dumps({
    "mapped": [name for name in names if str(path / name) in maps],
    "name": index.name_of(0),
}))
"""


def test_two_worker_processes_map_one_copy(network, queued):
    """Two separate processes (as two gunicorn workers) load the version: both map the same
    files, neither builds nor copies them."""
    path = adapter.build_files()
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "network.settings", "DEBUG": "1"}
    environment.pop("DATABASE_URL", None)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path)],
            cwd=django_settings.BASE_DIR,
            env=environment,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    answers = [json.loads(worker.communicate(timeout=120)[0]) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0]
    for answer in answers:
        assert answer == {
            "mapped": ["tfidf_csc.data.npy", "consultant_ids.npy"],
            "name": "Member 01 · CRM",
        }
    assert len(built_versions()) == 1


# --- Health -------------------------------------------------------------------------------------


def test_the_health_endpoint_reports_version_age_and_staleness(client, network, queued):
    ranked_ids()
    answer = client.get("/api/v1/health/").json()["matching_index"]
    assert answer["stale"] is False
    assert answer["built_version"] == answer["latest_version"]
    assert answer["age_seconds"] >= 0
    assert answer["mode"] == "background"

    add_second_member(network)
    ranked_ids()
    answer = client.get("/api/v1/health/").json()["matching_index"]

    assert answer["stale"] is True
    assert answer["built_version"] < answer["latest_version"]
    assert "members" not in answer


def test_the_health_endpoint_with_nothing_built(client, db):
    answer = client.get("/api/v1/health/").json()["matching_index"]

    assert answer["built_version"] is None
    assert answer["age_seconds"] is None
    assert answer["stale"] is True


def test_the_command_builds_this_machine_s_copy_once(network, builds):
    output = io.StringIO()
    call_command("matching_index", stdout=output)
    call_command("matching_index", stdout=output)

    assert len(builds) == 1
    assert output.getvalue().count(f"version {adapter.read_stamp().version}:") == 2


class _Stop(Exception):
    pass


def test_watch_builds_each_new_version_within_its_interval(network, builds, monkeypatch):
    # Each pause of the watch is one interval; a change made during the first is built after it,
    # and nothing is built while nothing changes.
    from matching.management.commands import matching_index

    pauses, steps = [], []

    def pause(seconds):
        steps.append("pause")
        pauses.append(seconds)
        if len(pauses) == 1:
            network["second"] = add_second_member(network)
        elif len(pauses) == 3:
            raise _Stop

    monkeypatch.setattr(matching_index.time, "sleep", pause)
    # Between checks the watch lets go of a connection the server may have dropped; here the
    # test's transaction holds the connection, so the call is recorded instead.
    monkeypatch.setattr(matching_index, "close_old_connections", lambda: steps.append("close"))
    output = io.StringIO()
    with pytest.raises(_Stop):
        call_command("matching_index", "--watch", "5", stdout=output)

    assert pauses == [5.0, 5.0, 5.0]
    assert steps == ["close", "pause"] * 3
    assert len(builds) == 2  # the first version, then the one after the change; not a third
    lines = output.getvalue().splitlines()
    assert len(lines) == 2  # a version is announced once, when it is new
    assert f"version {adapter.read_stamp().version}:" in lines[1]
    assert "2 members" in lines[1]
    assert sorted(ranked_ids()) == sorted([network["first"].pk, network["second"].pk])


def test_watch_checks_at_most_once_a_second(network, monkeypatch):
    from matching.management.commands import matching_index

    pauses = []

    def pause(seconds):
        pauses.append(seconds)
        raise _Stop

    monkeypatch.setattr(matching_index.time, "sleep", pause)
    monkeypatch.setattr(matching_index, "close_old_connections", lambda: None)
    with pytest.raises(_Stop):
        call_command("matching_index", "--watch", "0.01", stdout=io.StringIO())

    assert pauses == [1.0]
