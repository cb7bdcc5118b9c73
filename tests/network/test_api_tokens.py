"""API tokens: they expire after API_TOKEN_LIFETIME_DAYS, and a password change or reset ends
every token and every other session of the account, whichever way the password changes (the
reset and change pages, the admin, ``set_password()`` anywhere). The token endpoint still
throttles. How tokens are stored and issued: test_api_token_storage.py."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher, make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from network.authentication import api_token_issue, token_digest
from network.models import ApiToken, User
from tests.factories import SkillFactory
from tests.helpers import (
    PASSWORD,
    api_schema_document,
    settings_in_a_new_process,
    signed_in_client,
    token_for,
    with_token,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new long passphrase"
TOKEN = "/api/v1/auth/token/"
SKILLS = "/api/v1/skills/"
PROFILE = "/profile/"
ISSUED = datetime.datetime(2030, 3, 4, 10, 0, tzinfo=datetime.UTC)
ROOT = Path(__file__).resolve().parents[2]


class RetiredMD5PasswordHasher(MD5PasswordHasher):
    """A hasher the project no longer prefers: a sign-in upgrades its hashes."""

    algorithm = "retired_md5"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # The token endpoint's throttle and the reset limits count in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(member):
    member.set_password(PASSWORD)
    member.save(update_fields=["password"])
    return member


def is_signed_in(client: Client) -> bool:
    response = client.get(PROFILE)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def assert_token_ended(key: str) -> None:
    response = with_token(key).get(SKILLS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not ApiToken.objects.filter(digest=token_digest(key)).exists()


# --- A lifetime --------------------------------------------------------------------------------


def test_a_token_works_until_its_lifetime_ends_then_answers_401_expired(member):
    with time_machine.travel(ISSUED, tick=False) as clock:
        key = token_for(member)
        clock.shift(datetime.timedelta(days=30) - datetime.timedelta(seconds=1))
        assert with_token(key).get(SKILLS).status_code == 200

        clock.shift(datetime.timedelta(seconds=1))
        expired = with_token(key).get(SKILLS)

    assert expired.status_code == 401
    assert expired["WWW-Authenticate"] == "Token"
    assert expired.json() == {
        "detail": "The token has expired (tokens last 30 days); "
        "ask POST /api/v1/auth/token/ for a new one."
    }


def test_asking_again_after_expiry_gives_a_fresh_token_and_the_old_one_stays_dead(member):
    with time_machine.travel(ISSUED, tick=False) as clock:
        old = token_for(member)
        clock.shift(datetime.timedelta(days=31))

        new = token_for(member)

        assert new != old
        assert with_token(new).get(SKILLS).status_code == 200
        assert with_token(old).get(SKILLS).status_code == 401
        # The expired one is deleted when the account asks for a new token.
        assert ApiToken.objects.filter(user=member).count() == 1


def test_asking_again_while_it_works_leaves_the_first_its_own_lifetime(member):
    with time_machine.travel(ISSUED, tick=False) as clock:
        first = token_for(member)
        clock.shift(datetime.timedelta(days=29))

        assert token_for(member) != first
        assert with_token(first).get(SKILLS).status_code == 200
    # Asking again renews nothing: the first token's lifetime still counts from its issue.
    assert ApiToken.objects.filter(digest=token_digest(first)).get().created == ISSUED


def test_the_lifetime_is_a_setting(member, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 2
    with time_machine.travel(ISSUED, tick=False) as clock:
        key = token_for(member)
        clock.shift(datetime.timedelta(days=1, hours=23))
        assert with_token(key).get(SKILLS).status_code == 200
        clock.shift(datetime.timedelta(hours=1))
        response = with_token(key).get(SKILLS)

    assert response.status_code == 401
    assert "expired (tokens last 2 days)" in response.json()["detail"]


def test_the_lifetime_defaults_to_30_days_and_reads_the_environment():
    assert settings_in_a_new_process("s.API_TOKEN_LIFETIME_DAYS") == 30
    assert settings_in_a_new_process("s.API_TOKEN_LIFETIME_DAYS", API_TOKEN_LIFETIME_DAYS="7") == 7


@pytest.mark.parametrize("value", ["0", "366", "thirty"])
def test_a_lifetime_out_of_bounds_stops_the_process(value):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "network.settings",
            "API_TOKEN_LIFETIME_DAYS": value,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "API_TOKEN_LIFETIME_DAYS" in result.stderr


def test_checking_the_expiry_costs_no_query(member, django_assert_num_queries):
    SkillFactory()
    key = token_for(member)
    client = with_token(key)
    client.get(SKILLS)  # the first call notes the token's last use (once an hour at most)
    # 1 the token with its user, by the key's digest (the expiry is read from it), 2 the user's
    # roles, 3 the member record, 4 count, 5 the page, 6 the skills' aliases.
    with django_assert_num_queries(6):
        assert client.get(SKILLS, {"page_size": 1}).status_code == 200


def test_the_schema_documents_the_lifetime_and_the_expired_answer():
    schema = api_schema_document()
    token = schema["paths"][TOKEN]["post"]
    skills = schema["paths"][SKILLS]["get"]

    assert "API_TOKEN_LIFETIME_DAYS" in token["description"]
    assert "expired" in skills["responses"]["401"]["description"]


# --- A password change ends the tokens and the other sessions ----------------------------------


def test_a_reset_by_email_ends_the_tokens_and_every_session(member):
    key = token_for(member)
    elsewhere = signed_in_client(member)
    member = User.objects.get(pk=member.pk)
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    link = f"/accounts/password-reset/{uid}/{default_token_generator.make_token(member)}/"
    resetter = Client()
    form = resetter.get(link, follow=True)

    done = resetter.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert done["Location"] == "/accounts/password-reset/done/"
    assert_token_ended(key)
    assert not is_signed_in(elsewhere)
    fresh = token_for(member, NEW_PASSWORD)
    assert fresh != key
    assert with_token(fresh).get(SKILLS).status_code == 200


def test_a_change_on_the_page_ends_the_tokens_and_the_other_sessions_but_not_this_one(member):
    key = token_for(member)
    here, elsewhere = signed_in_client(member), signed_in_client(member)

    response = here.post(
        "/accounts/password-change/",
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-change/done/"
    assert b"Your password is changed" in here.get(response["Location"]).content
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert_token_ended(key)
    assert token_for(member, NEW_PASSWORD) != key


def test_a_wrong_current_password_on_the_change_page_changes_nothing(member):
    key = token_for(member)
    hash_before = User.objects.get(pk=member.pk).password
    here, elsewhere = signed_in_client(member), signed_in_client(member)

    response = here.post(
        "/accounts/password-change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert b"Your password was not changed" in response.content
    assert User.objects.get(pk=member.pk).password == hash_before
    assert with_token(key).get(SKILLS).status_code == 200
    assert is_signed_in(here) and is_signed_in(elsewhere)


def test_the_change_page_is_for_signed_in_people_and_linked_from_every_page(member):
    assert Client().get("/accounts/password-change/")["Location"].startswith("/accounts/login/")
    page = signed_in_client(member).get("/")
    assert b'href="/accounts/password-change/"' in page.content


def test_an_admin_changing_a_members_password_ends_their_tokens_and_sessions(member, admin):
    key = token_for(member)
    members_session = signed_in_client(member)
    admins_session = signed_in_client(admin)

    response = admins_session.post(
        f"/admin/network/user/{member.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert_token_ended(key)
    assert not is_signed_in(members_session)
    assert admins_session.get("/admin/").status_code == 200
    assert token_for(member, NEW_PASSWORD) != key


def test_an_admin_turning_password_sign_in_off_ends_the_tokens(member, admin):
    key = token_for(member)

    response = signed_in_client(admin).post(
        f"/admin/network/user/{member.pk}/password/",
        # The admin's "Disable password-based authentication" button.
        {"usable_password": "false", "unset-password": "1"},
    )

    assert response.status_code == 302
    assert not User.objects.get(pk=member.pk).has_usable_password()
    assert_token_ended(key)


@pytest.mark.parametrize("update_fields", [None, ["password"]])
def test_set_password_anywhere_ends_the_tokens(member, update_fields):
    key = token_for(member)
    user = User.objects.get(pk=member.pk)

    user.set_password(NEW_PASSWORD)
    user.save(update_fields=update_fields)

    assert_token_ended(key)


def test_a_password_change_ends_every_token_of_the_account_and_no_other(member, other_member):
    keys = [token_for(member), token_for(member)]
    _, others = api_token_issue(user=other_member)
    user = User.objects.get(pk=member.pk)

    user.set_password(NEW_PASSWORD)
    user.save()

    for key in keys:
        assert_token_ended(key)
    assert with_token(others).get(SKILLS).status_code == 200


def test_set_unusable_password_ends_the_tokens(member):
    key = token_for(member)
    user = User.objects.get(pk=member.pk)

    user.set_unusable_password()
    user.save()

    assert_token_ended(key)


def test_disabling_the_account_ends_the_tokens_for_good(member, admin):
    key = token_for(member)
    user = User.objects.get(pk=member.pk)

    user.is_active = False
    user.save(update_fields=["is_active"])
    user.is_active = True
    user.save(update_fields=["is_active"])

    assert_token_ended(key)
    assert token_for(member) != key


def test_other_saves_of_the_account_keep_its_token(member):
    key = token_for(member)
    user = User.objects.get(pk=member.pk)

    user.first_name = "Renamed"
    user.save()
    user.set_password(NEW_PASSWORD)
    user.save(update_fields=["first_name"])  # the new password is not stored
    User.objects.only("username").get(pk=member.pk).save()

    assert with_token(key).get(SKILLS).status_code == 200


def test_a_hash_upgraded_at_sign_in_is_no_password_change(member, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        f"{__name__}.RetiredMD5PasswordHasher",
    ]
    User.objects.filter(pk=member.pk).update(password=make_password(PASSWORD, hasher="retired_md5"))
    _, key = api_token_issue(user=member)

    assert token_for(member) != key  # signs in, upgrading the hash

    assert User.objects.get(pk=member.pk).password.startswith("md5$")
    assert with_token(key).get(SKILLS).status_code == 200


def test_loading_accounts_without_their_password_costs_no_extra_query(
    member, other_member, django_assert_num_queries
):
    with django_assert_num_queries(1):
        users = list(User.objects.only("username"))
    assert len(users) >= 2


# --- The token endpoint still throttles ---------------------------------------------------------


def test_the_token_endpoint_still_locks_a_username_and_address_out_after_five_failures(member):
    client = APIClient(REMOTE_ADDR="192.0.2.1")
    answers = [
        client.post(TOKEN, {"username": member.username, "password": "wrong"}).status_code
        for _ in range(5)
    ]

    right = client.post(TOKEN, {"username": member.username, "password": PASSWORD})

    assert answers == [400, 400, 400, 400, 429]
    assert right.status_code == 429
    assert right.json()["detail"].startswith("Too many failed sign-in attempts")
    assert not ApiToken.objects.filter(user=member).exists()


def test_the_token_endpoint_still_slows_any_address_down_after_ten_tries(member):
    client = APIClient(REMOTE_ADDR="198.51.100.7")
    for number in range(10):
        client.post(TOKEN, {"username": f"nobody{number}", "password": "guess"})

    response = client.post(TOKEN, {"username": member.username, "password": PASSWORD})

    assert response.status_code == 429
    assert not ApiToken.objects.filter(user=member).exists()
