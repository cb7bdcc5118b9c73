"""Who votes on a decision (the electorate rule fixed when it opens), consensus for admitting or
excluding a member, and proxies: given, used, revoked, void, at most one held."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from handbook import desk as handbook_desk
from handbook import services
from handbook.models import Decision, Proxy, Vote
from network.models import Consultant
from tests.factories import ConsultantFactory
from tests.helpers import fresh, with_status

pytestmark = pytest.mark.django_db

DECISIONS = "/api/v1/handbook/decisions/"


def active():
    return ConsultantFactory(status=Consultant.Status.ACTIVE).user


@pytest.fixture
def voters(db):
    """Three active members: a giver, a holder and a third voter."""
    return [active() for _index in range(3)]


@pytest.fixture
def probationer(db):
    return ConsultantFactory(status=Consultant.Status.PROBATION).user


@pytest.fixture
def decision(voters, probationer):
    return services.decision_create(actor=voters[0], text="Meet monthly", rule="simple_majority")


def vote(user, decision, choice="for", **extra):
    return services.vote_cast(actor=fresh(user), decision_id=decision.pk, choice=choice, **extra)


# --- Who votes ------------------------------------------------------------------------------


def test_a_member_on_probation_takes_part_but_does_not_vote_by_default(decision, probationer):
    assert decision.probation_votes is False
    assert decision.eligible.filter(pk=probationer.consultant.pk).exists()
    with pytest.raises(PermissionDenied, match="probation"):
        vote(probationer, decision)
    assert not Vote.objects.exists()


def test_a_member_on_probation_votes_when_the_setting_says_so(settings, voters, probationer):
    settings.HANDBOOK_PROBATION_VOTES = True
    decision = services.decision_create(actor=voters[0], text="Meet weekly", rule="consensus")
    settings.HANDBOOK_PROBATION_VOTES = False  # fixed when it opened

    assert decision.probation_votes is True
    assert vote(probationer, decision).consultant == probationer.consultant


def test_the_setting_changed_later_does_not_change_an_open_decision(
    settings, decision, probationer
):
    settings.HANDBOOK_PROBATION_VOTES = True
    with pytest.raises(PermissionDenied):
        vote(probationer, decision)


def test_observers_never_vote(settings, secretary, admin, decision):
    settings.HANDBOOK_PROBATION_VOTES = True
    for observer in (secretary, admin):
        with pytest.raises(PermissionDenied):
            services.vote_cast(actor=observer, decision_id=decision.pk, choice="for")
    assert not decision.eligible.filter(user__in=[secretary, admin]).exists()


@pytest.mark.parametrize("kind", ["admission", "exclusion"])
def test_admitting_or_excluding_a_member_needs_consensus(voters, kind):
    with pytest.raises(ValidationError):
        services.decision_create(actor=voters[0], text="Admit", rule="simple_majority", kind=kind)
    decision = services.decision_create(actor=voters[0], text="Admit", rule="consensus", kind=kind)
    vote(voters[0], decision, "for")
    vote(voters[1], decision, "for")
    vote(voters[2], decision, "against")

    assert services.decision_outcome(decision) == "failed"
    assert "needs consensus" in services.electorate_rule(decision)


# --- Proxies --------------------------------------------------------------------------------


def test_a_proxy_is_given_used_and_shown(client, decision, voters):
    giver, holder, _third = voters
    services.proxy_give(actor=fresh(giver), decision_id=decision.pk, holder=holder.consultant.pk)

    cast = vote(holder, decision, "against", on_behalf_of=giver.consultant.pk)

    assert cast.consultant == giver.consultant and cast.cast_by == holder.consultant
    client.force_login(giver)
    register = client.get(reverse("handbook-decisions")).content.decode()
    assert "(1 by proxy)" in register
    page = client.get(decision.get_absolute_url()).content.decode()
    assert f"by proxy, cast by {holder.consultant.display_name}" in page


def test_a_revoked_proxy_cannot_be_used_and_the_giver_votes(api_as, decision, voters):
    giver, holder, _third = voters
    services.proxy_give(actor=fresh(giver), decision_id=decision.pk, holder=holder.consultant.pk)
    revoked = api_as(fresh(giver)).post(f"{DECISIONS}{decision.pk}/proxy/revoke/")
    assert revoked.status_code == 200

    used = api_as(fresh(holder)).post(
        f"{DECISIONS}{decision.pk}/votes/",
        {"choice": "for", "on_behalf_of": giver.consultant.pk},
        format="json",
    )

    assert used.status_code == 409
    assert not Vote.objects.exists()
    assert vote(giver, decision, "against").cast_by is None


def test_the_giver_voting_ends_the_proxy(decision, voters):
    giver, holder, _third = voters
    services.proxy_give(actor=fresh(giver), decision_id=decision.pk, holder=holder.consultant.pk)
    vote(giver, decision, "for")

    assert Proxy.objects.get().ended_at is not None
    with pytest.raises(services.ProxyConflict):
        vote(holder, decision, "against", on_behalf_of=giver.consultant.pk)


@pytest.mark.parametrize("status", [Consultant.Status.ON_LEAVE, Consultant.Status.PROBATION])
def test_a_proxy_is_void_once_the_giver_loses_the_vote(decision, voters, status):
    giver, holder, _third = voters
    services.proxy_give(actor=fresh(giver), decision_id=decision.pk, holder=holder.consultant.pk)
    with_status(giver, status)

    with pytest.raises(services.ProxyConflict, match="void"):
        vote(holder, decision, "for", on_behalf_of=giver.consultant.pk)
    assert not Vote.objects.exists()


def test_a_member_holds_at_most_one_proxy(api_as, decision, voters):
    giver, holder, third = voters
    services.proxy_give(actor=fresh(giver), decision_id=decision.pk, holder=holder.consultant.pk)

    second = api_as(fresh(third)).post(
        f"{DECISIONS}{decision.pk}/proxy/", {"holder": holder.consultant.pk}, format="json"
    )

    assert second.status_code == 409
    assert Proxy.objects.count() == 1


def test_the_setting_allows_more_proxies(settings, decision, voters):
    settings.HANDBOOK_MAX_PROXIES_HELD = 2
    giver, holder, third = voters
    for member in (giver, third):
        services.proxy_give(
            actor=fresh(member), decision_id=decision.pk, holder=holder.consultant.pk
        )
    assert Proxy.objects.filter(holder=holder.consultant).count() == 2


def test_a_proxy_without_a_holder_held_or_for_a_non_voter(api_as, decision, voters, probationer):
    giver, holder, _third = voters
    client = api_as(fresh(giver))
    url = f"{DECISIONS}{decision.pk}/proxy/"

    assert client.post(url, {}, format="json").status_code == 400
    assert client.post(url, {"holder": giver.consultant.pk}, format="json").status_code == 400
    assert client.post(url, {"holder": probationer.consultant.pk}, format="json").status_code == 400
    # Using a proxy nobody gave: not allowed.
    not_given = api_as(fresh(holder)).post(
        f"{DECISIONS}{decision.pk}/votes/",
        {"choice": "for", "on_behalf_of": giver.consultant.pk},
        format="json",
    )
    assert not_given.status_code == 403
    assert not Proxy.objects.exists()


def test_no_proxy_on_a_closed_decision(api_as, decision, voters):
    giver, holder, _third = voters
    services.proxy_give(actor=fresh(giver), decision_id=decision.pk, holder=holder.consultant.pk)
    services.decision_close(actor=fresh(giver), decision_id=decision.pk)

    revoke = api_as(fresh(giver)).post(f"{DECISIONS}{decision.pk}/proxy/revoke/")
    use = api_as(fresh(holder)).post(
        f"{DECISIONS}{decision.pk}/votes/",
        {"choice": "for", "on_behalf_of": giver.consultant.pk},
        format="json",
    )

    assert (revoke.status_code, use.status_code) == (409, 409)


def test_the_api_states_the_electorate_and_who_votes(api_as, decision, voters, probationer):
    giver, holder, _third = voters
    services.proxy_give(actor=fresh(giver), decision_id=decision.pk, holder=holder.consultant.pk)
    vote(holder, decision, "for", on_behalf_of=giver.consultant.pk)

    body = api_as(fresh(giver)).get(f"{DECISIONS}{decision.pk}/").json()

    assert body["kind"] == "general" and body["probation_votes"] is False
    assert "Members on probation take part but do not vote" in body["electorate_rule"]
    assert {member["id"] for member in body["voters"]} == {user.consultant.pk for user in voters}
    assert body["votes"][0]["cast_by"]["id"] == holder.consultant.pk


def test_the_api_opens_an_admission_by_consensus(api_as, voters):
    client = api_as(fresh(voters[0]))
    refused = client.post(
        DECISIONS, {"text": "Admit", "rule": "two_thirds", "kind": "admission"}, format="json"
    )
    made = client.post(
        DECISIONS, {"text": "Admit", "rule": "consensus", "kind": "admission"}, format="json"
    )
    assert refused.status_code == 400
    assert made.status_code == 201 and made.json()["kind"] == "admission"
    assert Decision.objects.get().kind == Decision.Kind.ADMISSION


# --- Pages ----------------------------------------------------------------------------------


def test_the_pages_give_use_and_revoke_a_proxy(client, decision, voters):
    giver, holder, _third = voters
    client.force_login(giver)
    page = client.get(decision.get_absolute_url())
    assert page.status_code == 200
    assert "Members on probation take part" in page.context["electorate_rule"]
    given = client.post(
        reverse("handbook-proxy", args=[decision.pk]), {"holder": holder.consultant.pk}
    )
    assert given.status_code == 302

    client.force_login(holder)
    shown = client.get(decision.get_absolute_url()).content.decode()
    assert f"Vote for {giver.consultant.display_name} by proxy" in shown
    (held,) = [proxy for proxy in Proxy.objects.all()]
    prefix = f"proxy{held.pk}"
    used = client.post(
        reverse("handbook-vote", args=[decision.pk]),
        {f"{prefix}-choice": "for", f"{prefix}-on_behalf_of": giver.consultant.pk},
    )
    assert used.status_code == 302
    assert Vote.objects.get().cast_by == holder.consultant

    client.force_login(giver)
    revoked = client.post(reverse("handbook-proxy-revoke", args=[decision.pk]))
    assert revoked.status_code == 302
    client.force_login(holder)
    again = client.post(
        reverse("handbook-vote", args=[decision.pk]),
        {f"{prefix}-choice": "against", f"{prefix}-on_behalf_of": giver.consultant.pk},
    )
    assert again.status_code == 409
    assert Vote.objects.count() == 1


def test_the_page_tells_a_member_on_probation_they_take_part(client, decision, probationer):
    client.force_login(probationer)
    page = client.get(decision.get_absolute_url())
    assert page.context["on_probation_only"] and not page.context["is_eligible"]
    assert 'id="probation-only"' in page.content.decode()


def test_the_decision_page_queries_do_not_grow_with_votes(
    client, decision, voters, django_assert_max_num_queries
):
    giver, holder, third = voters
    services.proxy_give(actor=fresh(giver), decision_id=decision.pk, holder=holder.consultant.pk)
    vote(holder, decision, "for", on_behalf_of=giver.consultant.pk)
    vote(holder, decision, "for")
    for _index in range(10):
        member = active()
        decision.eligible.add(member.consultant)
        vote(member, decision, "against")
    client.force_login(holder)
    # Session, user, roles, member record, the decision, eligible, votes with their voters and
    # proxy holders, live proxies, messages: the same for 1 or 100 votes.
    with django_assert_max_num_queries(10):
        page = client.get(decision.get_absolute_url())
    assert page.status_code == 200


def test_the_meeting_page_opens_an_admission(client, voters):
    meeting = services.meeting_create(
        actor=voters[0], title="Spring", date=datetime.date(2030, 4, 1)
    )
    client.force_login(voters[0])
    url = reverse("handbook-decision-new", args=[meeting.pk])
    post = {"decision-text": "Admit a member", "decision-rule": "simple_majority"}

    refused = client.post(url, {**post, "decision-kind": "admission"})
    made = client.post(url, {**post, "decision-rule": "consensus", "decision-kind": "admission"})

    assert refused.status_code == 400
    assert made.status_code == 302
    assert Decision.objects.get().kind == Decision.Kind.ADMISSION


# --- A meeting's decisions ------------------------------------------------------------------


@pytest.fixture
def meeting_with_two(voters, probationer):
    meeting = services.meeting_create(
        actor=voters[0], title="Autumn", date=datetime.date(2030, 10, 1)
    )
    for text in ("Meet monthly", "Meet online"):
        services.decision_create(actor=voters[0], text=text, rule="consensus", meeting=meeting)
    return meeting


def test_a_proxy_for_a_meetings_decisions(api_as, meeting_with_two, voters):
    giver, holder, _third = voters
    url = f"/api/v1/handbook/meetings/{meeting_with_two.pk}/proxy/"

    given = api_as(fresh(giver)).post(url, {"holder": holder.consultant.pk}, format="json")

    assert given.status_code == 201 and len(given.json()["decisions"]) == 2
    for decision in meeting_with_two.decisions.all():
        cast = vote(holder, decision, "for", on_behalf_of=giver.consultant.pk)
        assert cast.cast_by == holder.consultant
    revoked = api_as(fresh(giver)).post(f"{url}revoke/")
    assert revoked.status_code == 200
    assert not Proxy.objects.filter(ended_at__isnull=True).exists()
    assert api_as(fresh(giver)).post(f"{url}revoke/").status_code == 409


def test_a_meeting_proxy_is_all_or_nothing(api_as, meeting_with_two, voters, secretary):
    giver, holder, third = voters
    first = meeting_with_two.decisions.order_by("pk").last()
    services.proxy_give(actor=fresh(third), decision_id=first.pk, holder=holder.consultant.pk)
    url = f"/api/v1/handbook/meetings/{meeting_with_two.pk}/proxy/"

    refused = api_as(fresh(giver)).post(url, {"holder": holder.consultant.pk}, format="json")
    observer = api_as(secretary).post(url, {"holder": holder.consultant.pk}, format="json")

    assert refused.status_code == 409 and observer.status_code == 403
    assert Proxy.objects.count() == 1


def test_a_member_on_probation_has_no_vote_waiting_on_the_desk(settings, decision, probationer):
    me = fresh(probationer).consultant
    assert handbook_desk.member_panel(fresh(probationer), me).items == []

    settings.HANDBOOK_PROBATION_VOTES = True
    voting = services.decision_create(actor=probationer, text="Meet weekly", rule="consensus")
    panel = handbook_desk.member_panel(fresh(probationer), me)
    assert [entry.url for entry in panel.items] == [voting.get_absolute_url()]


def test_the_meeting_page_gives_and_revokes_a_proxy(client, meeting_with_two, voters):
    giver, holder, _third = voters
    client.force_login(giver)
    page = client.get(meeting_with_two.get_absolute_url())
    assert 'id="meeting-proxy"' in page.content.decode()

    given = client.post(
        reverse("handbook-meeting-proxy", args=[meeting_with_two.pk]),
        {"meeting-holder": holder.consultant.pk},
    )
    assert given.status_code == 302
    assert Proxy.objects.filter(holder=holder.consultant, ended_at__isnull=True).count() == 2

    revoked = client.post(reverse("handbook-meeting-proxy-revoke", args=[meeting_with_two.pk]))
    again = client.post(reverse("handbook-meeting-proxy-revoke", args=[meeting_with_two.pk]))
    assert (revoked.status_code, again.status_code) == (302, 409)
    assert not Proxy.objects.filter(ended_at__isnull=True).exists()
