"""API tokens at rest: the database keeps the SHA-256 digest of each key, never the key, so a
copy of the database, an export or an admin page hands out no working credential. Each request to
the token endpoint issues a new token, shown only in that answer; the earlier ones keep working
until they expire or the account holds more than ten. Existing DRF tokens become digests."""

import datetime
import hashlib
import importlib
import json
import secrets
from collections.abc import Iterator
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.apps.registry import Apps
from django.contrib import admin as django_admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.helpers import PASSWORD, signed_in_client, token_for, with_token

pytestmark = pytest.mark.django_db

LEGACY_TABLE = "authtoken_token"
SKILLS = "/api/v1/skills/"
ISSUED = datetime.datetime(2030, 3, 4, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # The token endpoint's throttle counts in the cache.
    cache.clear()
    yield
    cache.clear()


def sha256(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _text(value) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def every_stored_value() -> Iterator[tuple[str, str]]:
    """(table, value as text) for every column of every row of every table in the database."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 (names from the database)
            for row in cursor.fetchall():
                for value in row:
                    yield table, _text(value)


def tables_holding(text: str) -> set[str]:
    return {table for table, value in every_stored_value() if text in value}


# --- No key at rest -------------------------------------------------------------------------


def test_no_column_of_any_table_holds_an_issued_key(member):
    keys = [token_for(member), token_for(member)]
    for key in keys:
        assert with_token(key).get(SKILLS).status_code == 200

    assert [tables_holding(key) for key in keys] == [set(), set()]
    # What is kept instead: the digest, in the token table only.
    assert [tables_holding(sha256(key)) for key in keys] == [{"network_apitoken"}] * 2


def test_the_key_never_reaches_the_database_not_even_in_a_query(member):
    with CaptureQueriesContext(connection) as captured:
        key = token_for(member)
        assert with_token(key).get(SKILLS).status_code == 200

    statements = [query["sql"] for query in captured]
    assert [sql for sql in statements if key in sql] == []
    # The digest instead: full_clean's check that it is unique, the insert, and the lookup of
    # the presented key, by the digest's unique index.
    assert len([sql for sql in statements if sha256(key) in sql]) == 3


def test_the_stored_digest_is_no_credential(member):
    key = token_for(member)

    response = with_token(sha256(key)).get(SKILLS)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.parametrize(
    "presented",
    [
        "x" * 4000,
        "0123456789abcdef0123456789abcdef01234567",  # the shape of DRF's keys
        "a,b",
        "ключ".encode().decode("latin-1"),  # UTF-8 as a WSGI server hands header bytes over
        "\xff\xfe",  # bytes that are no UTF-8
    ],
)
def test_a_key_of_any_shape_that_was_never_issued_is_401(member, presented):
    token_for(member)

    response = with_token(presented).get(SKILLS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_export_holds_the_digests_and_no_key(member):
    key = token_for(member)
    out = StringIO()

    call_command("export_data", stdout=out)

    assert key not in out.getvalue()
    rows = [row for row in json.loads(out.getvalue()) if row["model"] == "network.apitoken"]
    assert [(row["fields"]["digest"], row["fields"]["prefix"]) for row in rows] == [
        (sha256(key), key[:8])
    ]


@pytest.mark.django_db(transaction=True)
def test_a_restored_export_keeps_the_tokens_working(member, tmp_path):
    key = token_for(member)
    fixture = tmp_path / "switchboard.json"
    call_command("export_data", "--output", str(fixture), stdout=StringIO())
    call_command("flush", interactive=False, verbosity=0)
    assert with_token(key).get(SKILLS).status_code == 401

    call_command("loaddata", str(fixture), verbosity=0)

    assert with_token(key).get(SKILLS).status_code == 200


# --- The admin --------------------------------------------------------------------------------


def _admin_pages_for(user) -> Iterator[str]:
    """Every changelist of the admin, and the page of every row that belongs to ``user``."""
    yield reverse("admin:network_user_change", args=[user.pk])
    for model in django_admin.site._registry:
        meta = model._meta
        yield reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        if any(field.name == "user" for field in meta.concrete_fields):
            for pk in model._base_manager.filter(user=user).values_list("pk", flat=True):
                yield reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[pk])


def test_no_admin_page_shows_a_key(member, admin):
    key = token_for(member)
    client = signed_in_client(admin)

    pages = list(_admin_pages_for(member))
    answers = {page: client.get(page) for page in pages}

    assert [page for page, answer in answers.items() if key.encode() in answer.content] == []
    assert {page: answer.status_code for page, answer in answers.items()} == dict.fromkeys(
        pages, 200
    )


def test_the_token_admin_lists_each_token_by_user_prefix_created_and_expiry(member, admin):
    with time_machine.travel(ISSUED, tick=False):
        key = token_for(member)
    client = signed_in_client(admin)

    page = client.get("/admin/network/apitoken/").content.decode()

    assert member.username in page
    assert f"{key[:8]}…" in page
    assert "March 4, 2030" in page  # issued (the site's time zone is still the same day)
    assert "April 3, 2030" in page  # expires, 30 days later
    assert client.get("/admin/network/apitoken/add/").status_code == 403


def test_an_administrator_revokes_a_token_by_deleting_it(member, admin):
    revoked, kept = token_for(member), token_for(member)
    token = apps.get_model("network", "ApiToken").objects.get(digest=sha256(revoked))

    response = signed_in_client(admin).post(
        f"/admin/network/apitoken/{token.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert with_token(revoked).get(SKILLS).status_code == 401
    assert with_token(kept).get(SKILLS).status_code == 200


# --- Issuing: a new token each time ---------------------------------------------------------


def test_each_token_counts_its_own_lifetime(member):
    with time_machine.travel(ISSUED, tick=False) as clock:
        first = token_for(member)
        clock.shift(datetime.timedelta(days=10))
        second = token_for(member)
        clock.shift(datetime.timedelta(days=20))

        assert with_token(first).get(SKILLS).json()["detail"].startswith("The token has expired")
        assert with_token(second).get(SKILLS).status_code == 200

        clock.shift(datetime.timedelta(days=10))
        assert with_token(second).get(SKILLS).status_code == 401


def test_an_account_holds_at_most_ten_tokens_and_a_new_one_ends_the_oldest(member, other_member):
    other_member.set_password(PASSWORD)
    other_member.save(update_fields=["password"])
    ApiToken = apps.get_model("network", "ApiToken")
    with time_machine.travel(ISSUED, tick=False) as clock:
        others = token_for(other_member)
        keys = []
        for _ in range(11):
            cache.clear()  # the endpoint's throttle allows ten a minute
            keys.append(token_for(member))
            clock.shift(datetime.timedelta(minutes=1))

        answers = [with_token(key).get(SKILLS).status_code for key in keys]

    assert answers == [401] + [200] * 10
    assert ApiToken.objects.filter(user=member).count() == 10
    assert with_token(others).get(SKILLS).status_code == 200


def test_issuing_costs_the_same_queries_however_many_tokens_the_account_holds(
    member, django_assert_num_queries
):
    for _ in range(10):
        token_for(member)
        cache.clear()

    # 1 django-axes' failures for the address, 2 the user (sign-in), 3 savepoint, 4 lock the
    # user, 5 delete expired tokens, 6-7 full_clean (the user exists, the digest is unique),
    # 8 insert, 9 the ten to keep, 10 delete the rest (one statement), 11 release.
    with django_assert_num_queries(11):
        token_for(member)


def test_the_last_use_is_noted_at_most_once_an_hour(member):
    ApiToken = apps.get_model("network", "ApiToken")
    with time_machine.travel(ISSUED, tick=False) as clock:
        key = token_for(member)
        assert ApiToken.objects.get().last_used is None
        clock.shift(datetime.timedelta(minutes=5))
        with_token(key).get(SKILLS)
        assert ApiToken.objects.get().last_used == ISSUED + datetime.timedelta(minutes=5)

        clock.shift(datetime.timedelta(minutes=50))
        with CaptureQueriesContext(connection) as captured:
            assert with_token(key).get(SKILLS).status_code == 200
        assert [query for query in captured if query["sql"].startswith("UPDATE")] == []
        clock.shift(datetime.timedelta(minutes=10))
        with_token(key).get(SKILLS)

    assert ApiToken.objects.get().last_used == ISSUED + datetime.timedelta(hours=1, minutes=5)


# --- The migration: DRF's tokens become digests ------------------------------------------------


def run_migration() -> None:
    """The conversion of migration 0004, on the test database as it stands."""
    migration = importlib.import_module("network.migrations.0004_api_tokens_stored_as_digests")
    with connection.schema_editor() as editor:
        migration.drf_tokens_to_digests(apps, editor)


class LegacyToken(models.Model):
    """DRF's ``authtoken.Token`` table, as a database made before the migration holds it."""

    key = models.CharField(max_length=40, primary_key=True)
    created = models.DateTimeField()
    user_id = models.BigIntegerField()

    class Meta:
        apps = Apps()  # a registry of its own: DRF's app is not installed
        app_label = "authtoken"
        db_table = LEGACY_TABLE

    def __str__(self):
        return self.key[:8]


@pytest.fixture
def legacy_table(transactional_db):
    with connection.schema_editor() as editor:
        editor.create_model(LegacyToken)
    yield
    if LEGACY_TABLE in connection.introspection.table_names():
        with connection.schema_editor() as editor:
            editor.delete_model(LegacyToken)
    ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_drf_tokens_into_digests_and_drops_the_keys(
    legacy_table, member, other_member
):
    now = datetime.datetime.now(tz=datetime.UTC)
    working, expired = secrets.token_hex(20), secrets.token_hex(20)
    issued = now - datetime.timedelta(days=10, microseconds=7)
    LegacyToken.objects.create(key=working, created=issued, user_id=member.pk)
    LegacyToken.objects.create(
        key=expired, created=now - datetime.timedelta(days=31), user_id=other_member.pk
    )
    MigrationRecorder(connection).record_applied("authtoken", "0004_alter_tokenproxy_options")
    content_type = ContentType.objects.create(app_label="authtoken", model="token")
    viewers = Group.objects.create(name="Token viewers")
    viewers.permissions.add(
        Permission.objects.create(content_type=content_type, codename="view_token", name="View")
    )

    run_migration()

    tokens = apps.get_model("network", "ApiToken").objects.order_by("created")
    assert [(t.user_id, t.digest, t.prefix) for t in tokens] == [
        (other_member.pk, sha256(expired), expired[:8]),
        (member.pk, sha256(working), working[:8]),
    ]
    assert tokens[1].created == issued  # its lifetime still counts from when DRF issued it
    assert with_token(working).get(SKILLS).status_code == 200
    assert "expired" in with_token(expired).get(SKILLS).json()["detail"]
    # The plain keys are gone with DRF's table, and nothing of the app is left behind.
    assert LEGACY_TABLE not in connection.introspection.table_names()
    assert tables_holding(working) == set() and tables_holding(expired) == set()
    assert not MigrationRecorder(connection).migration_qs.filter(app="authtoken").exists()
    assert not ContentType.objects.filter(app_label="authtoken").exists()
    assert list(viewers.permissions.all()) == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_changes_nothing_in_a_database_without_drf_tokens(member):
    token_for(member)
    before = sorted(every_stored_value())

    run_migration()

    assert sorted(every_stored_value()) == before
