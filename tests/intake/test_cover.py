"""Cover while a member is away: the default from the time away, the proposal of the member who
knows the client, refusals (400) and stale covers (409), the client's status page and the
request page during the time away only, the intake desk's count, the email and the API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from intake import cover
from intake.desk import intake_panel
from intake.models import Engagement, EngagementCover, Notification, Request
from intake.services import status_token_new
from network import services as network_services
from network.models import Consultant
from network.roles import Role
from tests.factories import (
    ConsultantFactory,
    RequestFactory,
    TimeAwayFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def member(name, **fields):
    fields.setdefault("status", Consultant.Status.ACTIVE)
    return ConsultantFactory(display_name=name, **fields)


def engaged(consultant, organization=None):
    """An engaged request served by ``consultant`` alone, and its private status token."""
    token, digest = status_token_new()
    request = RequestFactory(
        status=Request.Status.ENGAGED,
        engaged_consultant=consultant,
        offered_consultant=consultant,
        status_token_hash=digest,
        **({"organization": organization} if organization else {}),
    )
    engagement = Engagement.objects.create(request=request, consultant=consultant)
    return engagement, token


def away(consultant, *, starts_in=0, days=7, covering=None):
    start = TODAY() + datetime.timedelta(days=starts_in)
    return TimeAwayFactory(
        consultant=consultant, start=start, end=start + datetime.timedelta(days=days),
        covering=covering,
    )  # fmt: skip


@pytest.fixture
def cast():
    consultant = member("Away Member")
    engagement, token = engaged(consultant)
    coordinator = member("Intake Desk")
    network_services.user_grant_role(user=coordinator.user, role=Role.INTAKE_COORDINATOR)
    return {
        "consultant": consultant,
        "engagement": engagement,
        "token": token,
        "coordinator": coordinator.user,
        "other": member("Other Member"),
    }


# --- Who covers --------------------------------------------------------------------------------


def test_the_time_away_covering_member_covers_by_default(cast):
    backup = member("Backup Member")
    away(cast["consultant"], covering=backup)

    found = cover.current_cover(cast["engagement"])

    assert found.covering == backup
    assert found.source == "default"
    assert cover.uncovered_engagements().count() == 0


def test_a_default_member_away_at_the_same_time_does_not_cover(cast, client):
    backup = member("Backup Member")
    away(backup, starts_in=2, days=1)
    away(cast["consultant"], covering=backup)

    assert cover.current_cover(cast["engagement"]).covering is None
    assert cover.uncovered_engagements().count() == 1
    status = client.get(reverse("request-status", args=[cast["token"]])).content.decode()
    assert "Backup Member" not in status


def test_without_a_default_the_member_who_knows_the_client_is_proposed(cast):
    organization = cast["engagement"].request.organization
    knows = member("Knows The Client")
    knows_less = member("Knows Less")
    for _x in range(2):
        engaged(knows, organization)
    engaged(knows_less, organization)
    Engagement.objects.filter(consultant__in=[knows, knows_less]).update(end=TODAY())
    time_away = away(cast["consultant"])

    found = cover.cover_of(cast["engagement"], time_away, with_proposal=True)

    assert found.covering is None
    assert found.proposal.consultant == knows
    assert "2 engagements" in found.proposal.why
    assert organization.name in found.proposal.why


def test_a_member_away_at_the_same_time_is_not_proposed(cast):
    organization = cast["engagement"].request.organization
    knows = member("Knows The Client")
    engaged(knows, organization)
    away(knows, starts_in=2)
    time_away = away(cast["consultant"])

    assert cover.cover_of(cast["engagement"], time_away, with_proposal=True).proposal is None


@pytest.mark.parametrize(
    "who",
    ["self", "alumnus", "away too", "nobody"],
)
def test_a_bad_cover_is_refused_with_the_field_message(cast, who):
    away(cast["consultant"])
    covering = {
        "self": cast["consultant"],
        "alumnus": member("Gone Member", status=Consultant.Status.ALUMNI),
        "away too": cast["other"],
        "nobody": None,
    }[who]
    if who == "away too":
        away(cast["other"], starts_in=3)

    with pytest.raises(ValidationError) as refused:
        cover.cover_set(
            engagement_id=cast["engagement"].pk,
            covering_id=covering.pk if covering else None,
            actor=cast["consultant"].user,
            version=0,
        )

    assert "covering" in refused.value.message_dict
    assert not EngagementCover.objects.exists()


def test_a_stale_version_is_a_conflict(cast):
    away(cast["consultant"])
    cover.cover_set(
        engagement_id=cast["engagement"].pk,
        covering_id=cast["other"].pk,
        actor=cast["consultant"].user,
        version=0,
    )

    with pytest.raises(cover.CoverConflict):
        cover.cover_set(
            engagement_id=cast["engagement"].pk,
            covering_id=member("Third Member").pk,
            actor=cast["consultant"].user,
            version=0,
        )
    assert EngagementCover.objects.get().covering == cast["other"]


def test_naming_a_cover_emails_the_covering_member_in_their_language(
    cast, django_capture_on_commit_callbacks
):
    away(cast["consultant"])
    user = cast["other"].user
    user.language = "es"
    user.save(update_fields=["language"])

    with django_capture_on_commit_callbacks(execute=True):
        cover.cover_set(
            engagement_id=cast["engagement"].pk,
            covering_id=cast["other"].pk,
            actor=cast["consultant"].user,
            version=0,
        )

    mail = Notification.objects.get(kind="cover_named")
    assert mail.recipient_email == user.email
    assert cast["engagement"].request.reference in mail.subject
    assert "Away Member" in mail.subject
    assert cast["engagement"].request.contact.email in mail.body_text
    assert "Please cover" not in mail.subject  # written in Spanish


# --- Where the cover shows ---------------------------------------------------------------------


def test_the_status_page_shows_the_cover_only_during_the_time_away(cast, client):
    backup = member("Backup Member", website="https://backup.example.org")
    time_away = away(cast["consultant"], starts_in=3, covering=backup)
    url = reverse("request-status", args=[cast["token"]])

    before = client.get(url).content.decode()
    time_away.start = TODAY()
    time_away.save()
    during = client.get(url).content.decode()
    api = client.get(f"/api/v1/requests/status/{cast['token']}/")

    assert "Backup Member" not in before
    assert "Who to contact meanwhile" in during
    assert "Backup Member" in during and backup.user.email in during
    assert api.json()["cover"] == {
        "display_name": "Backup Member",
        "email": backup.user.email,
        "website": "https://backup.example.org",
        "until": time_away.end.isoformat(),
    }


def test_the_request_page_shows_the_cover_or_flags_none(cast, client):
    time_away = away(cast["consultant"])
    client.force_login(cast["coordinator"])
    url = reverse("intake-request", args=[cast["engagement"].request_id])

    flagged = client.get(url).content.decode()
    cover.cover_set(
        engagement_id=cast["engagement"].pk,
        covering_id=cast["other"].pk,
        actor=cast["coordinator"],
        version=0,
    )
    covered = client.get(url).content.decode()
    time_away.start = time_away.end = TODAY() + datetime.timedelta(days=10)
    time_away.save()
    later = client.get(url).content.decode()

    assert "nobody covers this client" in flagged
    assert "Other Member" in covered and cast["other"].user.email in covered
    assert "away-cover" not in later


def test_the_intake_desk_counts_engagements_without_cover(cast):
    away(cast["consultant"])

    def uncovered():
        panel = intake_panel(cast["coordinator"])
        label = "Engagements whose consultant is away with nobody covering"
        return next(count.value for count in panel.counts if count.label == label)

    assert uncovered() == 1
    cover.cover_set(
        engagement_id=cast["engagement"].pk,
        covering_id=cast["other"].pk,
        actor=cast["coordinator"],
        version=0,
    )
    assert uncovered() == 0


# --- The member's page and the API -------------------------------------------------------------


def test_the_member_names_a_cover_on_their_page(cast, client):
    away(cast["consultant"], starts_in=5)
    client.force_login(cast["consultant"].user)
    url = reverse("my-covers")

    page = client.get(url)
    saved = client.post(
        url,
        {"engagement": cast["engagement"].pk, "covering": cast["other"].pk, "version": 0},
    )
    stale = client.post(
        url,
        {"engagement": cast["engagement"].pk, "covering": cast["other"].pk, "version": 0},
    )
    refused = client.post(
        url,
        {"engagement": cast["engagement"].pk, "covering": cast["consultant"].pk, "version": 1},
    )

    assert page.status_code == 200
    assert "Nobody covers this client yet." in page.content.decode()
    assert saved.status_code == 302
    assert EngagementCover.objects.get().covering == cast["other"]
    assert stale.status_code == 409
    assert refused.status_code == 400


def test_the_api_lists_and_sets_covers(cast, api_as):
    away(cast["consultant"])
    api = api_as(cast["consultant"].user)
    url = f"/api/v1/engagements/{cast['engagement'].pk}/cover/"

    listed = api.get("/api/v1/engagements/cover/").json()
    bad = api.post(url, {"covering": cast["consultant"].pk, "version": 0}, format="json")
    saved = api.post(url, {"covering": cast["other"].pk, "version": 0}, format="json")
    stale = api.post(url, {"covering": cast["other"].pk, "version": 0}, format="json")
    outsider = api_as(cast["other"].user).get(url)

    assert [row["engagement"] for row in listed] == [cast["engagement"].pk]
    assert listed[0]["covering"] is None and listed[0]["away_now"] is True
    assert bad.status_code == 400 and "covering" in bad.json()
    assert saved.status_code == 200
    assert saved.json()["covering"]["display_name"] == "Other Member"
    assert saved.json()["version"] == 1
    assert stale.status_code == 409
    assert outsider.status_code == 404


def test_a_member_on_leave_may_not_name_covers(cast, api_as):
    away(cast["consultant"])
    Consultant.objects.filter(pk=cast["consultant"].pk).update(status=Consultant.Status.ON_LEAVE)

    response = api_as(cast["consultant"].user).post(
        f"/api/v1/engagements/{cast['engagement'].pk}/cover/",
        {"covering": cast["other"].pk, "version": 0},
        format="json",
    )

    assert response.status_code == 403


def test_the_coordinator_names_a_cover_on_the_request_page(cast, client):
    organization = cast["engagement"].request.organization
    knows = member("Knows The Client")
    engaged(knows, organization)
    away(cast["consultant"])
    client.force_login(cast["coordinator"])
    page_url = reverse("intake-request", args=[cast["engagement"].request_id])
    url = reverse("intake-request-cover", args=[cast["engagement"].request_id])

    page = client.get(page_url).content.decode()
    refused = client.post(url, {"covering": cast["consultant"].pk, "version": 0})
    saved = client.post(url, {"covering": knows.pk, "version": 0})
    stale = client.post(url, {"covering": cast["other"].pk, "version": 0})
    outsider = client.post(url, {"covering": knows.pk, "version": 1})

    assert "Proposed: Knows The Client has worked with" in page
    assert refused.status_code == 400
    assert saved.status_code == 302
    assert EngagementCover.objects.get().covering == knows
    assert stale.status_code == 409
    assert outsider.status_code == 302  # the version it read: saved


def test_only_the_engaged_member_and_intake_coordinators_name_it_there(cast, client):
    away(cast["consultant"])
    client.force_login(cast["other"].user)
    url = reverse("intake-request-cover", args=[cast["engagement"].request_id])

    # Another member does not see the request at all.
    assert client.post(url, {"covering": cast["other"].pk, "version": 0}).status_code == 404


def test_the_cover_forms_and_flag_read_in_spanish(cast, client):
    away(cast["consultant"])
    client.force_login(cast["coordinator"])

    page = client.get(
        reverse("intake-request", args=[cast["engagement"].request_id]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()

    assert "nadie le sustituye con este cliente" in page
    assert "Guardar el sustituto" in page
