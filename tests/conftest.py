"""Shared fixtures: test settings, one user per role, and API clients signed in as them."""

import functools
import itertools
import os
import re

import pytest
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from matching import adapter
from network.models import Consultant
from network.roles import Role
from network.services import languages_ensure, user_grant_role
from tests.factories import ConsultantFactory, ConsultantGroupFactory, UserFactory

_index_dirs = itertools.count()


# --- Tests that use no database run once -----------------------------------------------------

# A test reaches the database only through one of these (pytest-django refuses any other
# access; a fixture that lifts the block for a module's data asks for ``django_db_setup``), so
# one that asks for none gives the same answer on every database.
_DATABASE_FIXTURES = frozenset(
    {
        *("db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"),
        *("live_server", "django_db_setup"),
    }
)
# ...unless its module learns which database is configured some other way: from the
# environment, the settings or the connection, or in a process of its own that reads them.
_READS_THE_CONFIGURATION = re.compile(
    r"DATABASE_URL|DATABASES|\bconnections?\b|\bsubprocess\b|\bmultiprocessing\b"
)


def _runs_on_every_database(item) -> bool:
    if item.get_closest_marker("django_db") or _DATABASE_FIXTURES & set(item.fixturenames):
        return True
    return _module_reads_the_configuration(item.path)


@functools.cache
def _module_reads_the_configuration(path) -> bool:
    return bool(_READS_THE_CONFIGURATION.search(path.read_text(encoding="utf-8")))


def pytest_collection_modifyitems(config, items):
    """With ``TESTS_WITHOUT_DATABASE=skip``, the tests that use no database are left out:
    `make test` sets it for its run on PostgreSQL, after the run on SQLite has run them (about
    870 tests, most of a minute)."""
    if os.environ.get("TESTS_WITHOUT_DATABASE") != "skip":
        return
    kept, once = [], []
    for item in items:
        (kept if _runs_on_every_database(item) else once).append(item)
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = kept


@pytest.fixture(autouse=True)
def _english_to_start_with():
    """Each test starts in English: a request in another language leaves that language active
    in the thread that served it, and text made later (an explanation, an email) would follow."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _test_settings(settings, monkeypatch, tmp_path_factory):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django_q.conf import Conf

    # Tasks run inline so a test sees their effects; the cluster is exercised in e2e and load.
    monkeypatch.setattr(Conf, "SYNC", True)
    # Each test's matching index in its own directory (made on the first build): two tests'
    # networks can reach the same stamp. Built in the request, so answers are always fresh;
    # tests/matching/test_index_handover.py runs the background mode.
    settings.MATCHING_INDEX_DIR = tmp_path_factory.getbasetemp() / f"index-{next(_index_dirs)}"
    settings.MATCHING_INDEX_BUILD = "inline"


@pytest.fixture
def member(db):
    """An active member of the alliance (a consultant with no coordinator role)."""
    return ConsultantFactory(status=Consultant.Status.ACTIVE).user


@pytest.fixture
def other_member(db):
    return ConsultantFactory(status=Consultant.Status.ACTIVE).user


@pytest.fixture
def intake_coordinator(db):
    consultant = ConsultantFactory(status=Consultant.Status.ACTIVE)
    user_grant_role(user=consultant.user, role=Role.INTAKE_COORDINATOR)
    return consultant.user


@pytest.fixture
def community_coordinator(db):
    user = UserFactory()
    user_grant_role(user=user, role=Role.COMMUNITY_COORDINATOR)
    return user


@pytest.fixture
def secretary(db):
    """The secretary: a staff account with the role and no member record, as in the demo."""
    user = UserFactory()
    user_grant_role(user=user, role=Role.SECRETARY)
    return user


@pytest.fixture
def group_coordinator(db):
    consultant = ConsultantFactory(status=Consultant.Status.ACTIVE)
    group = ConsultantGroupFactory(coordinator=consultant)
    group.members.add(consultant)
    return consultant.user


@pytest.fixture
def admin(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def api():
    """An API client; call ``api.force_authenticate(user)`` or use ``api_as``."""
    return APIClient()


@pytest.fixture
def api_as():
    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def redis_url():
    """A Redis database of its own (empty, claimed with a marker key), emptied afterwards: the
    test neither steals other processes' keys or tasks nor leaves its own behind. Skips when
    Redis is not reachable, except under CI, where Redis is part of the machine."""
    import redis

    base = os.environ.get("RELIABILITY_REDIS", "redis://127.0.0.1:6379")
    try:
        redis.Redis.from_url(f"{base}/0", socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {base} ({error}); this test needs it."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    for number in range(15, 0, -1):
        database = redis.Redis.from_url(f"{base}/{number}")
        # SET NX on an empty database: two test runs never pick the same one.
        if database.dbsize() == 0 and database.set("tests:claimed", os.getpid(), nx=True):
            break
    else:
        pytest.skip("no empty Redis database (1-15) to run the test in")
    try:
        yield f"{base}/{number}"
    finally:
        database.flushdb()  # it was empty when claimed: everything in it is the test's


@pytest.fixture
def fresh_index(db):
    """A matching index built from this test's data, none kept from an earlier test in the
    process or the cache (``pytestmark = [..., pytest.mark.usefixtures("fresh_index")]``)."""
    languages_ensure()
    adapter.forget_index()
    cache.clear()
    yield
    adapter.forget_index()


@pytest.fixture
def signed_in(client):
    """``signed_in(user)``: the page client, signed in as ``user`` (loaded afresh, so nothing
    cached on the object leaks in); left anonymous for None."""

    def sign_in(user):
        if user is not None:
            client.force_login(type(user).objects.get(pk=user.pk))
        return client

    return sign_in
