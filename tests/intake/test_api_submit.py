"""POST /api/v1/requests/: the anonymous front door, its limits, honeypot and idempotency."""

import re

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from intake import api as intake_api
from intake import idempotency
from intake.models import Contact, IdempotencyRecord, Organization, Request, RequestEvent
from network.services import languages_ensure
from tests.factories import UserFactory
from tests.helpers import valid_request_body

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/requests/"


@pytest.fixture(autouse=True)
def _fresh_throttle_and_languages():
    # The throttle counts in the cache; each test starts with a full allowance.
    cache.clear()
    languages_ensure()
    yield
    cache.clear()


def submit(body=None, client=None, **headers):
    client = client or APIClient()
    return client.post(REQUESTS, body or valid_request_body(), format="json", headers=headers)


def nothing_stored():
    return (
        Request.objects.count() == 0
        and Organization.objects.count() == 0
        and Contact.objects.count() == 0
        and RequestEvent.objects.count() == 0
    )


def token_of(status_url: str) -> str:
    return status_url.rstrip("/").rsplit("/", 1)[-1]


# --- The happy path -----------------------------------------------------------------------


def test_submission_answers_201_with_reference_and_status_link():
    response = submit()

    assert response.status_code == 201
    body = response.json()
    request = Request.objects.get()
    assert body == {
        "id": request.pk,
        "reference": request.reference,
        "status": "submitted",
        "status_url": body["status_url"],
    }
    assert re.fullmatch(r"REQ-\d{4}-\d{4}", body["reference"])
    assert re.fullmatch(r"https?://[^/]+/status/[A-Za-z0-9_-]{22}/", body["status_url"])


def test_submission_stores_the_fields_as_typed():
    submit(valid_request_body(title="<b>Help</b> with our site"))

    request = Request.objects.get()
    assert request.title == "<b>Help</b> with our site"
    assert request.skills == ["CiviCRM", "data cleanup"]
    assert str(request.budget_max) == "2500.00"
    assert request.estimated_hours == 30
    assert request.urgency == "high"
    assert sorted(request.languages.values_list("code", flat=True)) == ["en", "es"]
    assert request.desired_start.isoformat() == "2026-09-01"
    assert request.contact.email == "contact.one@missionfoodbank.example.org"
    assert request.events.get().action == "submit"


def test_urgency_defaults_to_normal():
    body = valid_request_body()
    del body["urgency"]

    submit(body)

    assert Request.objects.get().urgency == "normal"


def test_references_count_up_within_the_year():
    first = submit().json()["reference"]
    second = submit(valid_request_body(title="Website hosting")).json()["reference"]

    year, number = first.split("-")[1:]
    assert second == f"REQ-{year}-{int(number) + 1:04d}"


def test_status_url_opens_the_clients_status():
    status_url = submit().json()["status_url"]

    response = APIClient().get(f"{REQUESTS}status/{token_of(status_url)}/")

    assert response.status_code == 200
    assert response.json()["stage"] == "submitted"


def test_organization_is_reused_by_folded_name():
    submit(valid_request_body(organization_website=""))
    submit(
        valid_request_body(
            organization_name="  MISSION food-bank ",
            organization_website="",
            title="Website hosting",
        )
    )

    assert Organization.objects.count() == 1
    assert Request.objects.count() == 2


def test_organization_is_reused_by_website_domain():
    submit()
    submit(
        valid_request_body(
            organization_name="The Food Bank of the Mission",
            organization_website="http://missionfoodbank.example.org",
            title="Website hosting",
        )
    )

    assert Organization.objects.count() == 1


def test_contact_is_reused_by_email_at_the_same_organization():
    submit()
    submit(
        valid_request_body(
            contact_email="Contact.One@MissionFoodBank.example.org", title="Website hosting"
        )
    )

    assert Contact.objects.count() == 1


def test_anonymous_post_needs_no_csrf_token_even_with_a_session_cookie():
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(UserFactory())

    response = submit(client=client)

    assert response.status_code == 201


# --- Bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "x" * 30_000),
        ("title", "x" * 201),
        ("contact_email", "not-an-email"),
        ("urgency", "whenever"),
        ("budget_max", "-1"),
        ("budget_max", "lots"),
        ("estimated_hours", -5),
        ("skills", "CiviCRM"),
        ("skills", ["x" * 121]),
        ("skills", [f"skill {n}" for n in range(51)]),
        ("languages", ["xx"]),
        ("organization_website", "not a url"),
        ("desired_start", "next spring"),
    ],
)
def test_bad_field_is_refused_and_nothing_is_stored(field, value):
    response = submit(valid_request_body(**{field: value}))

    assert response.status_code == 400
    assert field in response.json()
    assert nothing_stored()


@pytest.mark.parametrize(
    "field", ["organization_name", "contact_name", "contact_email", "title", "description"]
)
def test_missing_field_is_refused_and_nothing_is_stored(field):
    body = valid_request_body()
    del body[field]

    response = submit(body)

    assert response.status_code == 400
    assert field in response.json()
    assert nothing_stored()


def test_unknown_language_is_named_in_the_message():
    response = submit(valid_request_body(languages=["es", "klingon"]))

    assert response.json()["languages"] == ["Unknown language codes: klingon."]


# --- The honeypot -------------------------------------------------------------------------


def test_filled_honeypot_answers_like_a_real_submission_and_stores_nothing():
    response = submit(valid_request_body(website_url="https://spam.example.com"))

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "reference", "status", "status_url"}
    assert re.fullmatch(r"REQ-\d{4}-\d{4}", body["reference"])
    assert body["status"] == "submitted"
    assert nothing_stored()
    # The decoy link leads to the same 404 as any unknown token.
    assert APIClient().get(f"{REQUESTS}status/{token_of(body['status_url'])}/").status_code == 404


def test_empty_honeypot_is_a_real_submission():
    assert submit(valid_request_body(website_url="")).status_code == 201
    assert Request.objects.count() == 1


# --- Throttling ---------------------------------------------------------------------------


def test_submissions_over_the_limit_are_refused_with_429(settings):
    settings.REQUEST_SUBMIT_RATE = "3/hour"
    for n in range(3):
        assert submit(valid_request_body(title=f"Request {n}")).status_code == 201

    response = submit(valid_request_body(title="One too many"))

    assert response.status_code == 429
    assert Request.objects.count() == 3


def test_limit_is_per_address(settings):
    settings.REQUEST_SUBMIT_RATE = "1/hour"
    client_a = APIClient(REMOTE_ADDR="192.0.2.10")
    client_b = APIClient(REMOTE_ADDR="192.0.2.20")

    assert submit(client=client_a).status_code == 201
    assert submit(valid_request_body(title="Second"), client=client_a).status_code == 429
    assert submit(valid_request_body(title="Third"), client=client_b).status_code == 201


# --- Idempotency --------------------------------------------------------------------------


def test_retry_with_the_same_key_returns_the_first_answer_and_files_nothing_new():
    first = submit(**{"Idempotency-Key": "retry-1"})
    again = submit(**{"Idempotency-Key": "retry-1"})

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Request.objects.count() == 1
    assert IdempotencyRecord.objects.get().key_digest == idempotency.key_digest("retry-1")


def test_same_body_in_another_key_order_is_the_same_body():
    body = valid_request_body()
    reordered = dict(reversed(list(body.items())))
    first = submit(body, **{"Idempotency-Key": "retry-2"})

    again = submit(reordered, **{"Idempotency-Key": "retry-2"})

    assert again.json() == first.json()
    assert Request.objects.count() == 1


def test_same_key_with_a_different_body_is_refused():
    submit(**{"Idempotency-Key": "retry-3"})

    response = submit(valid_request_body(title="Something else"), **{"Idempotency-Key": "retry-3"})

    assert response.status_code == 422
    assert "different request body" in response.json()["detail"]
    assert Request.objects.count() == 1


def test_different_keys_file_two_requests():
    submit(**{"Idempotency-Key": "a"})
    submit(**{"Idempotency-Key": "b"})

    assert Request.objects.count() == 2


def test_refused_submission_stores_no_answer_for_its_key():
    submit(valid_request_body(contact_email="nope"), **{"Idempotency-Key": "retry-4"})

    response = submit(**{"Idempotency-Key": "retry-4"})

    assert response.status_code == 201
    assert IdempotencyRecord.objects.count() == 1


def test_replays_do_not_count_against_the_limit(settings):
    settings.REQUEST_SUBMIT_RATE = "1/hour"
    first = submit(**{"Idempotency-Key": "retry-5"})

    replays = [submit(**{"Idempotency-Key": "retry-5"}) for _ in range(3)]

    assert [r.status_code for r in replays] == [201, 201, 201]
    assert all(r.json() == first.json() for r in replays)
    assert submit(valid_request_body(title="A new one")).status_code == 429


def test_overlong_key_is_refused():
    response = submit(**{"Idempotency-Key": "k" * 201})

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert nothing_stored()


def test_concurrent_first_use_of_a_key_answers_with_the_winners_answer(monkeypatch):
    """Two first uses of one key race: both look and find nothing; the loser's insert of the
    key fails, its own submission rolls back, and it answers with the winner's record."""
    body = valid_request_body()
    winner_answer = {"id": 999, "reference": "REQ-2026-0999", "status": "submitted"}
    idempotency.record_store(
        key="race",
        fingerprint=intake_api._fingerprint(body),
        status=201,
        answer=winner_answer,
        request_id=None,
    )
    real_lookup = intake_api._stored_answer
    lookups = []

    def lookup_before_the_winner_committed(key):
        lookups.append(key)
        return None if len(lookups) == 1 else real_lookup(key)

    monkeypatch.setattr(intake_api, "_stored_answer", lookup_before_the_winner_committed)

    response = submit(body, **{"Idempotency-Key": "race"})

    assert response.status_code == 201
    assert response.json() == winner_answer
    assert Request.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_first_uses_of_a_key_at_once_file_one_request():
    """Two clients send the same key and body at the same moment: whatever the interleaving,
    both get the same answer and exactly one request is filed."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Needs concurrent connections (PostgreSQL).")
    import threading

    from django.db import connections

    barrier = threading.Barrier(2)
    answers = []

    def post():
        try:
            barrier.wait()
            answers.append(submit(**{"Idempotency-Key": "simultaneous"}))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Request.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


# --- Cost ---------------------------------------------------------------------------------


def test_a_repeat_submission_costs_a_fixed_number_of_queries(
    intake_coordinator, enqueued, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert submit().status_code == 201

    # From an organisation and contact already on file, with a likely duplicate:
    #  1. the serializer checks the language codes
    #  2. SAVEPOINT: the API's transaction (the test's own transaction is the outer one)
    #  3. the organisation, by folded name or website domain (one query)
    #  4. the contact, by email
    #  5. the organisation's recent requests, for the duplicate check
    #  6. the intake coordinators (addresses and names), read before the lock
    #  7. the year's reference counter: UPDATE … RETURNING, the lock, taken late
    #  8. the request
    #  9. its languages (one insert)
    # 10. the "submit" event
    # 11. the client's and the coordinators' notifications (one insert)
    # 12. RELEASE SAVEPOINT (COMMIT in production)
    # and after the commit, one task enqueued for all of them (no query).
    with django_assert_max_num_queries(12):
        with django_capture_on_commit_callbacks(execute=True):
            response = submit(valid_request_body(title="Donor database cleanup, again"))

    assert response.status_code == 201
    assert Request.objects.get(pk=response.json()["id"]).possible_duplicate_of is not None
    assert len(enqueued) == 2  # one task per submission


def test_a_first_submission_costs_a_fixed_number_of_queries(
    intake_coordinator, enqueued, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        # Another organisation's: the year's counter row exists from here on.
        submit(
            valid_request_body(organization_name="Other", organization_website="", title="Other")
        )

    # A new organisation: no contact or duplicate to look for, but inserts of its own.
    #  1. languages  2. SAVEPOINT (API)  3. organisation look-up  4.–6. SAVEPOINT, INSERT
    #  and RELEASE of the organisation (a concurrent first submission may win the name)
    #  7. contact  8. intake coordinators  9. counter  10. request  11. languages  12. event
    #  13. notifications  14. RELEASE (API)
    with django_assert_max_num_queries(14):
        with django_capture_on_commit_callbacks(execute=True):
            response = submit()

    assert response.status_code == 201
    assert len(enqueued) == 2
