"""The bid pages: the bid board, offering to lead, the workspace and each of its actions, my bids,
and the teams panel of the coordinator's request page. Who may open each, what money each
person sees, that every action goes through and that every refusal changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.bids import settlement, states, team, terms, work
from intake.bids.models import (
    AgreementVersion,
    Bid,
    BidEvent,
    BidInterest,
    BidMember,
    HoursEntry,
    Settlement,
)
from intake.models import Request
from tests.bids.page_helpers import LEAD_RATE, PRICE, SECOND_RATE, THIRD_RATE, start_bid, url
from tests.factories import (
    ConsultantFactory,
    ConsultantSkillFactory,
    RequestFactory,
    SkillFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


def fresh(bid) -> Bid:
    return Bid.objects.get(pk=bid.pk)


def sent(bid, people) -> Bid:
    states.bid_send(bid_id=bid.pk, actor=people["lead"])
    return fresh(bid)


def signed(bid, people) -> Bid:
    bid = sent(bid, people)
    number = terms.current_agreement(bid).number
    for who in ("lead", "team member"):
        terms.agreement_sign(bid_id=bid.pk, actor=people[who], agreement_version=number)
    return fresh(bid)


def in_progress(bid, people, intake_coordinator) -> Bid:
    bid = signed(bid, people)
    states.bid_submit(bid_id=bid.pk, actor=people["lead"])
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    states.bid_start(bid_id=bid.pk, actor=people["lead"])
    return fresh(bid)


def proposed(bid, people, intake_coordinator) -> Bid:
    """In progress, hours logged today by both, and the statement proposed by the lead."""
    bid = in_progress(bid, people, intake_coordinator)
    today = timezone.localdate()
    work.hours_log(bid_id=bid.pk, actor=people["lead"], date=today, hours="8")
    work.hours_log(bid_id=bid.pk, actor=people["team member"], date=today, hours="5.5")
    settlement.bid_settle(bid_id=bid.pk, actor=people["lead"], collector=people["_lead"].pk)
    return fresh(bid)


def settled(bid, people, intake_coordinator) -> Bid:
    """The proposed statement approved by both members: final."""
    bid = proposed(bid, people, intake_coordinator)
    for who in ("team member", "lead"):
        settlement.statement_approve(bid_id=bid.pk, actor=people[who])
    return fresh(bid)


def login_redirect(path: str) -> str:
    return f"{reverse('login')}?next={path}"


def snapshot(bid):
    """Everything an action could change, to prove a refusal changed nothing."""
    bid = fresh(bid)
    return (
        bid.status,
        bid.version,
        bid.price,
        list(bid.members.values_list("consultant_id", "status", "role", "estimated_hours")),
        list(AgreementVersion.objects.filter(bid=bid).values_list("number", "voided_at")),
        BidEvent.objects.filter(bid=bid).count(),
        HoursEntry.objects.filter(bid=bid).count(),
    )


# --- Who may open each page -----------------------------------------------------------------

BOARD_CODES = {
    "anonymous": 302,
    "applicant": 403,
    "other member": 200,
    "team member": 200,
    "lead": 200,
    "intake coordinator": 200,
}
WORKSPACE_CODES = BOARD_CODES
# My bids is for working members too, like every bid page (an applicant gets 403).
MY_BIDS_CODES = BOARD_CODES


@pytest.mark.parametrize("role", BOARD_CODES)
def test_who_may_open_the_board(signed_in, people, bid, role):
    client = signed_in(people[role])
    response = client.get(reverse("bid-board"))
    assert response.status_code == BOARD_CODES[role]
    if role == "anonymous":
        assert response["Location"] == login_redirect(reverse("bid-board"))


@pytest.mark.parametrize("role", BOARD_CODES)
def test_who_may_open_the_start_page(signed_in, people, bidding, role):
    client = signed_in(people[role])
    address = reverse("bid-start", args=[bidding.pk])
    response = client.get(address)
    assert response.status_code == BOARD_CODES[role]
    if role == "anonymous":
        assert response["Location"] == login_redirect(address)


@pytest.mark.parametrize("role", WORKSPACE_CODES)
def test_who_may_open_the_workspace(signed_in, people, bid, role):
    client = signed_in(people[role])
    response = client.get(url("bid-workspace", bid))
    assert response.status_code == WORKSPACE_CODES[role]
    if role == "anonymous":
        assert response["Location"] == login_redirect(url("bid-workspace", bid))


@pytest.mark.parametrize("role", MY_BIDS_CODES)
def test_who_may_open_my_bids(signed_in, people, bid, role):
    client = signed_in(people[role])
    response = client.get(reverse("my-bids"))
    assert response.status_code == MY_BIDS_CODES[role]


def test_an_unknown_bid_is_a_404(signed_in, people):
    assert signed_in(people["lead"]).get("/bids/999999/").status_code == 404


def test_nav_links_bid_pages(signed_in, people, admin):
    as_member = signed_in(people["other member"]).get(reverse("home")).content
    assert b">Bid board<" in as_member and b">My bids<" in as_member
    as_applicant = signed_in(people["applicant"]).get(reverse("home")).content
    assert b">Bid board<" not in as_applicant


# --- The board ------------------------------------------------------------------------------


def test_board_lists_bidding_requests_without_client_contact(signed_in, people, bidding):
    other = RequestFactory(status=Request.Status.TRIAGED, title="Not open for bids")
    response = signed_in(people["other member"]).get(reverse("bid-board"))
    html = response.content.decode()
    assert bidding.reference in html and "15000" in html and "Drupal" in html
    assert "Offer to lead" in html
    assert reverse("bid-start", args=[bidding.pk]) in html
    assert other.title not in html
    assert bidding.contact.email not in html and bidding.contact.name not in html
    assert bidding.organization.website not in html


def test_board_shows_the_open_bid_its_lead_and_team(signed_in, people, bid):
    response = signed_in(people["other member"]).get(reverse("bid-board"))
    html = response.content.decode()
    assert "Lead Member" in html and "Second Member" in html and "Draft" in html
    assert reverse("bid-start", args=[bid.request_id]) not in html
    assert "Volunteer to join" in html
    assert PRICE not in html


def test_board_has_no_volunteer_form_for_members_on_the_bid(signed_in, people, bid):
    html = signed_in(people["team member"]).get(reverse("bid-board")).content.decode()
    assert "You are on this bid" in html and 'name="note"' not in html


def test_board_empty_state(signed_in, people):
    html = signed_in(people["other member"]).get(reverse("bid-board")).content.decode()
    assert "No request is open for team bids" in html


def test_volunteering_from_the_board(signed_in, people, bid):
    client = signed_in(people["other member"])
    address = reverse("bid-volunteer", args=[bid.request_id])
    response = client.post(address, {"note": "I know Drupal well."})
    assert response.status_code == 302 and response["Location"] == reverse("bid-board")
    interest = BidInterest.objects.get(consultant=people["_other"])
    assert interest.note == "I know Drupal well."
    # The lead sees the volunteer with an invite button.
    html = signed_in(people["lead"]).get(url("bid-workspace", bid)).content.decode()
    assert "I know Drupal well." in html and "Invite Other Member" in html


def test_volunteering_on_a_request_not_bidding_is_a_404(signed_in, people):
    closed = RequestFactory(status=Request.Status.TRIAGED)
    response = signed_in(people["other member"]).post(
        reverse("bid-volunteer", args=[closed.pk]), {"note": ""}
    )
    assert response.status_code == 404
    assert not BidInterest.objects.exists()


def test_board_runs_a_fixed_number_of_queries(signed_in, people, django_assert_max_num_queries):
    for _ in range(4):
        request = RequestFactory(status=Request.Status.BIDDING, budget_max=Decimal("9000"))
        lead = ConsultantFactory()
        team.bid_create(
            request_id=request.pk,
            actor=lead.user,
            price="9000",
            lead_estimated_hours="10",
            invite=[{"consultant": ConsultantFactory().pk, "role": "Dev", "estimated_hours": "10"}],
        )
    RequestFactory(status=Request.Status.BIDDING)
    client = signed_in(people["other member"])
    # session, user, the user's roles (groups), their member record, (group coordinator check),
    # the requests, their open bids with the lead, the bids' seats with their members, my
    # volunteer notes: nine whatever the number of requests and bids.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("bid-board"))
    assert response.status_code == 200


# --- Offering to lead -----------------------------------------------------------------------


def test_a_member_offers_to_lead(signed_in, people, bidding):
    client = signed_in(people["lead"])
    page = client.get(reverse("bid-start", args=[bidding.pk])).content.decode()
    assert 'value="15000' in page  # the price starts at the client's budget
    assert 'name="lead"' not in page  # members lead their own bids
    response = client.post(
        reverse("bid-start", args=[bidding.pk]),
        {
            "price": "14000",
            "alliance_share_percent": "5",
            "split_mode": "rate_weighted",
            "due_date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
            "lead_role": "CRM lead",
            "lead_estimated_hours": "50",
        },
    )
    created = Bid.objects.get(request=bidding)
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.lead == people["_lead"] and created.price == Decimal("14000")
    assert created.split_mode == "rate_weighted"
    assert created.members.get().role == "CRM lead"


def test_a_coordinator_chooses_the_lead(signed_in, people, bidding):
    client = signed_in(people["intake coordinator"])
    assert b'name="lead"' in client.get(reverse("bid-start", args=[bidding.pk])).content
    response = client.post(
        reverse("bid-start", args=[bidding.pk]),
        {
            "lead": people["_third"].pk,
            "price": "9000",
            "alliance_share_percent": "0",
            "split_mode": "equal_rate",
            "lead_role": "Lead",
            "lead_estimated_hours": "30",
        },
    )
    assert response.status_code == 302
    assert Bid.objects.get(request=bidding).lead == people["_third"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "0", "greater than or equal to 0.01"),
        ("alliance_share_percent", "60", "less than or equal to 50"),
        ("due_date", "2000-01-01", "The due date has passed."),
    ],
)
def test_a_bad_start_is_400_and_starts_nothing(signed_in, people, bidding, field, value, message):
    fields = {
        "price": "9000",
        "alliance_share_percent": "0",
        "split_mode": "equal_rate",
        "lead_role": "Lead",
        "lead_estimated_hours": "30",
        field: value,
    }
    response = signed_in(people["lead"]).post(reverse("bid-start", args=[bidding.pk]), fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Bid.objects.exists()


def test_a_second_lead_is_told_the_bid_exists_409(signed_in, people, bid):
    client = signed_in(people["other member"])
    page = client.get(reverse("bid-start", args=[bid.request_id])).content.decode()
    assert "already leads a bid" in page
    response = client.post(
        reverse("bid-start", args=[bid.request_id]),
        {
            "price": "9000",
            "alliance_share_percent": "0",
            "split_mode": "equal_rate",
            "lead_role": "Lead",
            "lead_estimated_hours": "30",
        },
    )
    assert response.status_code == 409
    assert Bid.objects.count() == 1


# --- The workspace: what each person sees ---------------------------------------------------


def test_other_members_see_the_team_and_status_but_no_money(signed_in, people, bid):
    html = signed_in(people["other member"]).get(url("bid-workspace", bid)).content.decode()
    assert "Lead Member" in html and "Second Member" in html and "Draft" in html
    for money in (PRICE, LEAD_RATE, SECOND_RATE, "Planned payout", "Agreement, version"):
        assert money not in html
    assert "What happened" not in html  # the event log is the team's
    assert 'action="/bids/' not in html  # no action to take


def test_the_team_sees_the_agreement_and_rates(signed_in, people, bid):
    html = signed_in(people["team member"]).get(url("bid-workspace", bid)).content.decode()
    agreement = terms.current_agreement(bid)
    assert f"Agreement, version {agreement.number}" in html
    assert PRICE in html and LEAD_RATE in html and SECOND_RATE in html
    assert "SHARED-RISK RATE AGREEMENT" in html
    assert "What happened" in html and "Joined the team" in html
    assert "Change the terms" not in html  # the lead's


def test_the_lead_gets_the_team_building_forms(signed_in, people, bid):
    html = signed_in(people["lead"]).get(url("bid-workspace", bid)).content.decode()
    for part in (
        "Invite a member",
        "Proposed teams",
        "Change the terms",
        "Send for signature",
        "Withdraw the bid",
    ):
        assert part in html


def test_uncovered_skills_are_listed(signed_in, people, bid):
    html = signed_in(people["other member"]).get(url("bid-workspace", bid)).content.decode()
    # The lead holds CiviCRM, the second member web accessibility (any case); nobody Drupal.
    assert "CiviCRM: Lead Member" in html
    assert "web accessibility: Second Member" in html
    assert "Still uncovered by the members invited or on the team: <strong>Drupal</strong>" in html


def test_the_invite_select_is_filtered_by_skill(signed_in, people, bid):
    drupal = SkillFactory(name="Drupal")
    ConsultantSkillFactory(consultant=people["_third"], skill=drupal)
    client = signed_in(people["lead"])
    html = client.get(url("bid-workspace", bid) + "?skill=drupal").content.decode()
    select = html.split('id="invite_consultant"', 1)[1].split("</select>", 1)[0]
    assert "Third Member" in select and "Other Member" not in select
    everyone = client.get(url("bid-workspace", bid)).content.decode()
    select = everyone.split('id="invite_consultant"', 1)[1].split("</select>", 1)[0]
    assert "Other Member" in select and "Second Member" not in select  # already on the team


def test_the_workspace_runs_a_bounded_number_of_queries(
    signed_in, people, bid, django_assert_max_num_queries
):
    client = signed_in(people["lead"])
    client.get(url("bid-workspace", bid))  # builds the matching index
    # session, user, roles, member record; the bid with request and lead; the seat look-ups of
    # bid_seat and sees_bid_money; the members; their skills and the skills' aliases; the
    # current agreement, its signatures, the version history, the events with their actors;
    # the invite list; the proposed teams (index stamp, collaboration pairs, languages); the
    # volunteers; the group coordinator check: about 22, whatever the team's size.
    with django_assert_max_num_queries(24):
        response = client.get(url("bid-workspace", bid))
    assert response.status_code == 200


@pytest.mark.parametrize("stage", ["proposed", "settled"])
def test_a_settled_workspace_runs_a_bounded_number_of_queries(
    signed_in, people, bid, intake_coordinator, django_assert_max_num_queries, stage
):
    bid = {"proposed": proposed, "settled": settled}[stage](bid, people, intake_coordinator)
    client = signed_in(people["team member"])
    # as above without the team-building reads, plus the statement, its approvals, the
    # disputed statements and the hours.
    with django_assert_max_num_queries(20):
        response = client.get(url("bid-workspace", bid))
    assert response.status_code == 200


# --- The workspace: actions -----------------------------------------------------------------


def post(client, name, bid, data=None):
    return client.post(url(name, bid), data or {})


def test_invite_a_member(signed_in, people, bid):
    client = signed_in(people["lead"])
    response = post(
        client,
        "bid-invite",
        bid,
        {
            "version": bid.version,
            "consultant": people["_third"].pk,
            "role": "Drupal",
            "estimated_hours": "20",
        },
    )
    assert response.status_code == 302 and response["Location"] == url("bid-workspace", bid)
    seat = BidMember.objects.get(bid=bid, consultant=people["_third"])
    assert seat.status == BidMember.Status.INVITED and seat.standard_rate == Decimal(THIRD_RATE)
    assert "Invitation sent." in client.get(url("bid-workspace", bid)).content.decode()


def test_invite_refusals_change_nothing(signed_in, people, bid):
    data = {
        "version": bid.version,
        "consultant": people["_third"].pk,
        "role": "Drupal",
        "estimated_hours": "20",
    }
    before = snapshot(bid)
    # A member who is not on the bid: 403.
    assert post(signed_in(people["other member"]), "bid-invite", bid, data).status_code == 403
    # A team member who does not lead: the service refuses (403).
    assert post(signed_in(people["team member"]), "bid-invite", bid, data).status_code == 403
    client = signed_in(people["lead"])
    # A stale version: 409 with the current state.
    response = post(client, "bid-invite", bid, {**data, "version": bid.version - 1})
    assert response.status_code == 409
    assert "This bid changed while you were looking at it" in response.content.decode()
    # No role: 400 with the error next to the field.
    response = post(client, "bid-invite", bid, {**data, "role": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert snapshot(bid) == before


def test_invite_a_proposed_team(signed_in, people, bid):
    drupal = SkillFactory(name="Drupal")
    ConsultantSkillFactory(consultant=people["_third"], skill=drupal, level=5)
    client = signed_in(people["lead"])
    html = client.get(url("bid-workspace", bid)).content.decode()
    assert "Invite this team" in html
    response = post(
        client,
        "bid-invite-team",
        bid,
        {
            "version": bid.version,
            "member": [people["_third"].pk],
            "role": ["Drupal"],
            "estimated_hours": ["40"],
        },
    )
    assert response.status_code == 302
    assert BidMember.objects.get(bid=bid, consultant=people["_third"]).role == "Drupal"


def test_invite_a_team_is_all_or_nothing(signed_in, people, bid):
    before = snapshot(bid)
    client = signed_in(people["lead"])
    # The second member is already on the team: the whole team is refused.
    response = post(
        client,
        "bid-invite-team",
        bid,
        {
            "version": bid.version,
            "member": [people["_third"].pk, people["_second"].pk],
            "role": ["Drupal", "Design"],
            "estimated_hours": ["20", "20"],
        },
    )
    assert response.status_code == 400
    assert "already invited" in response.content.decode()
    assert snapshot(bid) == before


def test_accept_and_decline(signed_in, people, bidding):
    bid = start_bid(bidding, people, invite_third=True)
    # The invited members see the invitation, on the workspace and on my bids.
    client = signed_in(people["team member"])
    assert "You are invited to this team" in client.get(url("bid-workspace", bid)).content.decode()
    assert "Invitations waiting for your answer" in client.get(reverse("my-bids")).content.decode()
    response = post(client, "bid-accept", bid, {"version": bid.version})
    assert response.status_code == 302
    assert BidMember.objects.get(bid=bid, consultant=people["_second"]).status == "accepted"
    data = {"version": fresh(bid).version, "reason": "Booked."}
    response = post(signed_in(people["_third"].user), "bid-decline", bid, data)
    assert response.status_code == 302
    seat = BidMember.objects.get(bid=bid, consultant=people["_third"])
    assert seat.status == "declined" and seat.decline_reason == "Booked."


def test_answering_twice_or_uninvited_is_refused(signed_in, people, bid):
    before = snapshot(bid)
    data = {"version": bid.version}
    assert post(signed_in(people["other member"]), "bid-accept", bid, data).status_code == 403
    assert post(signed_in(people["team member"]), "bid-accept", bid, data).status_code == 409
    assert snapshot(bid) == before


@pytest.mark.parametrize("page", ["bid-workspace", "my-bids"])
@pytest.mark.parametrize("action", ["bid-accept", "bid-decline"])
def test_the_invitation_forms_carry_the_bid_version(signed_in, people, bidding, page, action):
    """The accept and decline forms, on the workspace and on my bids, send the version of the
    bid the member read, as the API requires."""
    bid = start_bid(bidding, people, invite_third=True)
    client = signed_in(people["_third"].user)
    html = client.get(url(page, bid) if page == "bid-workspace" else reverse(page)).content
    form = html.decode().split(f'action="{url(action, bid)}"', 1)[1].split("</form>", 1)[0]

    assert f'name="version" value="{bid.version}"' in form


@pytest.mark.parametrize("action", ["bid-accept", "bid-decline"])
def test_answering_an_invitation_on_a_stale_page_is_a_conflict(signed_in, people, bidding, action):
    """The lead changed the terms after the member opened the invitation: the answer the page
    sends carries the old version and is refused (409, the workspace as it is now); before,
    the page sent no version and the member joined terms they had not read."""
    bid = start_bid(bidding, people, invite_third=True)
    seen = bid.version
    terms.bid_terms_change(bid_id=bid.pk, actor=people["lead"], version=seen, price="20000.00")
    before = snapshot(bid)

    response = post(signed_in(people["_third"].user), action, bid, {"version": seen})

    assert response.status_code == 409
    html = response.content.decode()
    assert "This bid changed while you were looking at it" in html
    assert BidMember.objects.get(bid=bid, consultant=people["_third"]).status == "invited"
    assert snapshot(bid) == before


@pytest.mark.parametrize("action", ["bid-accept", "bid-decline"])
def test_answering_an_invitation_without_a_version_is_refused(signed_in, people, bidding, action):
    bid = start_bid(bidding, people, invite_third=True)
    before = snapshot(bid)

    response = post(signed_in(people["_third"].user), action, bid, {"reason": "Booked."})

    assert response.status_code == 400
    assert BidMember.objects.get(bid=bid, consultant=people["_third"]).status == "invited"
    assert snapshot(bid) == before


def test_change_and_remove_a_member(signed_in, people, bid):
    client = signed_in(people["lead"])
    second = people["_second"].pk
    response = post(
        client,
        "bid-member",
        bid,
        {
            "version": bid.version,
            "consultant": second,
            "role": "Accessibility lead",
            "estimated_hours": "35",
        },
    )
    assert response.status_code == 302
    seat = BidMember.objects.get(bid=bid, consultant_id=second)
    assert seat.role == "Accessibility lead" and seat.estimated_hours == Decimal("35")
    bid = fresh(bid)
    response = post(client, "bid-remove", bid, {"version": bid.version, "consultant": second})
    assert response.status_code == 302
    assert BidMember.objects.get(bid=bid, consultant_id=second).status == "removed"


def test_the_lead_cannot_be_removed(signed_in, people, bid):
    before = snapshot(bid)
    response = post(
        signed_in(people["lead"]),
        "bid-remove",
        bid,
        {"version": bid.version, "consultant": people["_lead"].pk},
    )
    assert response.status_code == 400
    assert "The lead cannot be removed" in response.content.decode()
    assert snapshot(bid) == before


def test_change_the_terms_makes_a_new_version(signed_in, people, bid):
    client = signed_in(people["lead"])
    number = terms.current_agreement(bid).number
    response = post(
        client,
        "bid-terms",
        bid,
        {
            "version": bid.version,
            "price": "13000.00",
            "alliance_share_percent": "10",
            "split_mode": "equal_rate",
        },
    )
    assert response.status_code == 302
    agreement = terms.current_agreement(bid)
    assert agreement.number == number + 1 and agreement.price == Decimal("13000.00")
    html = client.get(url("bid-workspace", bid)).content.decode()
    assert f"Agreement, version {number + 1}" in html and "Changed price, alliance share" in html


@pytest.mark.parametrize(
    ("role", "change", "code"),
    [
        ("team member", {}, 403),
        ("lead", {"version": 1}, 409),
        ("lead", {"alliance_share_percent": "51"}, 400),
        ("lead", {"price": "-5"}, 400),
    ],
)
def test_terms_refusals_change_nothing(signed_in, people, bid, role, change, code):
    before = snapshot(bid)
    data = {
        "version": bid.version,
        "price": "13000.00",
        "alliance_share_percent": "10",
        "split_mode": "equal_rate",
        **change,
    }
    assert post(signed_in(people[role]), "bid-terms", bid, data).status_code == code
    assert snapshot(bid) == before


def test_terms_of_a_signed_agreement_are_refused_409(signed_in, people, bid):
    bid = signed(bid, people)
    before = snapshot(bid)
    response = post(
        signed_in(people["lead"]),
        "bid-terms",
        bid,
        {
            "version": bid.version,
            "price": "1.00",
            "alliance_share_percent": "0",
            "split_mode": "equal_rate",
        },
    )
    assert response.status_code == 409
    assert "can no longer change" in response.content.decode()
    assert snapshot(bid) == before


def test_send_and_sign(signed_in, people, bid):
    client = signed_in(people["lead"])
    assert post(client, "bid-send", bid, {"version": bid.version}).status_code == 302
    assert fresh(bid).status == Bid.Status.AGREEMENT_OUT
    number = terms.current_agreement(bid).number
    html = client.get(url("bid-workspace", bid)).content.decode()
    assert f"Sign version {number}" in html and "0 of 2 signed" in html
    assert post(client, "bid-sign", bid, {"agreement_version": number}).status_code == 302
    member = signed_in(people["team member"])
    html = member.get(url("bid-workspace", bid)).content.decode()
    assert "1 of 2 signed" in html and "Still to sign: Second Member" in html
    assert post(member, "bid-sign", bid, {"agreement_version": number}).status_code == 302
    assert fresh(bid).status == Bid.Status.SIGNED


def test_send_needs_a_second_member(signed_in, people, bidding):
    bid = start_bid(bidding, people)  # the second member is only invited
    before = snapshot(bid)
    response = post(signed_in(people["lead"]), "bid-send", bid, {"version": bid.version})
    assert response.status_code == 400
    assert "at least one member besides the lead" in response.content.decode()
    assert snapshot(bid) == before


def test_sign_refusals_change_nothing(signed_in, people, bid):
    bid = sent(bid, people)
    number = terms.current_agreement(bid).number
    before = snapshot(bid)
    # A member not on the team: 403 (the gate); an old version: 409.
    response = post(
        signed_in(people["other member"]), "bid-sign", bid, {"agreement_version": number}
    )
    assert response.status_code == 403
    response = post(signed_in(people["lead"]), "bid-sign", bid, {"agreement_version": number - 1})
    assert response.status_code == 409
    assert "is no longer the agreement" in response.content.decode()
    assert snapshot(bid) == before


def test_a_price_change_voids_the_signatures_on_the_page(signed_in, people, bid):
    bid = sent(bid, people)
    number = terms.current_agreement(bid).number
    terms.agreement_sign(bid_id=bid.pk, actor=people["lead"], agreement_version=number)
    client = signed_in(people["lead"])
    post(
        client,
        "bid-terms",
        fresh(bid),
        {
            "version": fresh(bid).version,
            "price": "12000.00",
            "alliance_share_percent": "0",
            "split_mode": "equal_rate",
        },
    )
    html = client.get(url("bid-workspace", bid)).content.decode()
    assert f"Version {number + 1} · 0 of 2 signed" in html
    assert f"Sign version {number + 1}" in html


def test_withdraw(signed_in, people, bid):
    before = snapshot(bid)
    assert (
        post(
            signed_in(people["team member"]), "bid-withdraw", bid, {"version": bid.version}
        ).status_code
        == 403
    )
    assert snapshot(bid) == before
    response = post(signed_in(people["lead"]), "bid-withdraw", bid, {"version": bid.version})
    assert response.status_code == 302 and fresh(bid).status == Bid.Status.WITHDRAWN


def test_submit_decide_and_start(signed_in, people, bid, intake_coordinator):
    bid = signed(bid, people)
    lead = signed_in(people["lead"])
    assert "Submit to the client" in lead.get(url("bid-workspace", bid)).content.decode()
    assert post(lead, "bid-submit", bid, {"version": bid.version}).status_code == 302
    bid = fresh(bid)
    assert bid.status == Bid.Status.SUBMITTED
    # Only intake coordinators record the client's answer.
    before = snapshot(bid)
    assert "Won" not in lead.get(url("bid-workspace", bid)).content.decode().split("Next step")[0]
    response = post(lead, "bid-decide", bid, {"version": bid.version, "outcome": "won"})
    assert response.status_code == 403 and snapshot(bid) == before
    coordinator = signed_in(intake_coordinator)
    html = coordinator.get(url("bid-workspace", bid)).content.decode()
    assert ">Won</button>" in html and ">Lost</button>" in html
    response = post(coordinator, "bid-decide", bid, {"version": bid.version, "outcome": "won"})
    assert response.status_code == 302
    bid = fresh(bid)
    assert bid.status == Bid.Status.WON
    assert bid.request.status == Request.Status.ENGAGED
    lead = signed_in(people["lead"])
    assert "Start the work" in lead.get(url("bid-workspace", bid)).content.decode()
    assert post(lead, "bid-start-work", bid, {"version": bid.version}).status_code == 302
    assert fresh(bid).status == Bid.Status.IN_PROGRESS


def test_submitting_an_unsigned_bid_is_409(signed_in, people, bid):
    bid = sent(bid, people)
    before = snapshot(bid)
    response = post(signed_in(people["lead"]), "bid-submit", bid, {"version": bid.version})
    assert response.status_code == 409 and snapshot(bid) == before


def test_log_and_take_back_hours(signed_in, people, bid, intake_coordinator):
    bid = in_progress(bid, people, intake_coordinator)
    client = signed_in(people["team member"])
    html = client.get(url("bid-workspace", bid)).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html  # the date defaults to today
    response = post(
        client,
        "bid-hours",
        bid,
        {"date": timezone.localdate().isoformat(), "hours": "6.5", "note": "Audit"},
    )
    assert response.status_code == 302
    entry = HoursEntry.objects.get(bid=bid)
    assert entry.hours == Decimal("6.5") and entry.consultant == people["_second"]
    # The lead sees everyone's hours and the totals against the plan.
    html = signed_in(people["lead"]).get(url("bid-workspace", bid)).content.decode()
    assert "Audit" in html and "6.50" in html
    response = post(signed_in(people["team member"]), "bid-hours-delete", bid, {"entry": entry.pk})
    assert response.status_code == 302 and not HoursEntry.objects.exists()


@pytest.mark.parametrize(
    ("role", "hours", "code"),
    [
        ("team member", "25", 400),
        ("team member", "0", 400),
        ("other member", "3", 403),
        ("intake coordinator", "3", 403),
    ],
)
def test_hours_refusals_change_nothing(
    signed_in, people, bid, intake_coordinator, role, hours, code
):
    bid = in_progress(bid, people, intake_coordinator)
    before = snapshot(bid)
    response = post(
        signed_in(people[role]),
        "bid-hours",
        bid,
        {"date": timezone.localdate().isoformat(), "hours": hours},
    )
    assert response.status_code == code
    assert snapshot(bid) == before


def test_taking_back_someone_elses_hours_is_403(signed_in, people, bid, intake_coordinator):
    bid = in_progress(bid, people, intake_coordinator)
    entry = work.hours_log(
        bid_id=bid.pk, actor=people["lead"], date=timezone.localdate(), hours="2"
    )
    response = post(signed_in(people["team member"]), "bid-hours-delete", bid, {"entry": entry.pk})
    assert response.status_code == 403 and HoursEntry.objects.filter(pk=entry.pk).exists()


def test_propose_the_statement_and_every_member_approves_it(
    signed_in, people, bid, intake_coordinator
):
    bid = in_progress(bid, people, intake_coordinator)
    today = timezone.localdate()
    work.hours_log(bid_id=bid.pk, actor=people["lead"], date=today, hours="8")
    work.hours_log(bid_id=bid.pk, actor=people["team member"], date=today, hours="4")
    lead = signed_in(people["lead"])
    response = post(
        lead, "bid-settle", bid, {"version": bid.version, "collector": people["_lead"].pk}
    )
    assert response.status_code == 302
    settlement = Settlement.objects.get(bid=bid)
    assert settlement.state == Settlement.State.PROPOSED
    html = lead.get(url("bid-workspace", bid)).content.decode()
    assert "Statement" in html and f"/api/v1/bids/{bid.pk}/statement/csv/" in html
    assert "Transfers owed" in html
    for line in settlement.lines:
        assert line["payout"] in html
    assert "Still to approve: <strong" in html and "Lead Member, Second Member" in html
    assert "Log hours" not in html and "Propose the statement" not in html  # hours fixed
    assert f'action="{url("bid-hours-delete", bid)}"' not in html
    member = signed_in(people["team member"])
    html = member.get(url("bid-workspace", bid)).content.decode()
    assert "Approve the statement" in html and "Dispute the statement" in html
    assert "What protects you" in html
    assert "Nothing is paid out on this statement until every member" in html
    version = fresh(bid).version
    assert post(member, "bid-approve", bid, {"version": version}).status_code == 302
    assert settlement.approvals.get().consultant == people["_second"]
    html = member.get(url("bid-workspace", bid)).content.decode()
    assert "Approve the statement" not in html and "Approved by Second Member." in html
    assert fresh(bid).request.status == Request.Status.ENGAGED
    lead = signed_in(people["lead"])
    assert post(lead, "bid-approve", bid, {"version": version}).status_code == 302
    settlement.refresh_from_db()
    assert settlement.state == Settlement.State.FINAL
    assert fresh(bid).status == Bid.Status.SETTLED
    assert fresh(bid).request.status == Request.Status.COMPLETED
    html = signed_in(people["team member"]).get(url("bid-workspace", bid)).content.decode()
    assert "Final: approved by every member" in html and "Dispute the statement" not in html


def test_a_member_disputes_the_statement_with_a_reason(signed_in, people, bid, intake_coordinator):
    bid = proposed(bid, people, intake_coordinator)
    member = signed_in(people["team member"])
    before = snapshot(bid)

    refused = post(member, "bid-dispute", bid, {"version": bid.version, "reason": " "})

    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    assert snapshot(bid) == before
    assert Settlement.objects.get(bid=bid).state == Settlement.State.PROPOSED
    done = post(member, "bid-dispute", bid, {"version": bid.version, "reason": "I did 7.5 h"})
    assert done.status_code == 302
    statement = Settlement.objects.get(bid=bid)
    assert (statement.state, statement.dispute_reason) == (Settlement.State.DISPUTED, "I did 7.5 h")
    html = member.get(url("bid-workspace", bid)).content.decode()
    assert "Log hours" in html and "I did 7.5 h" in html  # the hours reopened, the reason shown


def test_a_stale_approval_is_409(signed_in, people, bid, intake_coordinator):
    bid = proposed(bid, people, intake_coordinator)
    before = snapshot(bid)

    response = post(signed_in(people["team member"]), "bid-approve", bid, {"version": 1})

    assert response.status_code == 409
    assert snapshot(bid) == before and not Settlement.objects.get(bid=bid).approvals.exists()


def test_hours_outside_the_days_of_the_work_are_refused_on_the_page(
    signed_in, people, bid, intake_coordinator
):
    bid = in_progress(bid, people, intake_coordinator)
    client = signed_in(people["team member"])
    html = client.get(url("bid-workspace", bid)).content.decode()
    today = timezone.localdate().isoformat()
    assert f'min="{today}"' in html and f'max="{today}"' in html
    before = snapshot(bid)

    response = post(client, "bid-hours", bid, {"date": "1900-01-01", "hours": "24"})

    assert response.status_code == 400
    assert "Hours are logged for the days of the work: from " + today in (response.content.decode())
    assert snapshot(bid) == before


def test_settling_without_hours_is_400_and_changes_nothing(
    signed_in, people, bid, intake_coordinator
):
    bid = in_progress(bid, people, intake_coordinator)
    before = snapshot(bid)
    response = post(signed_in(people["lead"]), "bid-settle", bid, {"version": bid.version})
    assert response.status_code == 400
    assert "No hours are logged" in response.content.decode()
    assert snapshot(bid) == before and not Settlement.objects.exists()


def test_settle_refusals(signed_in, people, bid, intake_coordinator):
    bid = in_progress(bid, people, intake_coordinator)
    work.hours_log(bid_id=bid.pk, actor=people["lead"], date=timezone.localdate(), hours="8")
    before = snapshot(bid)
    member = signed_in(people["team member"])
    assert post(member, "bid-settle", bid, {"version": bid.version}).status_code == 403
    lead = signed_in(people["lead"])
    assert post(lead, "bid-settle", bid, {"version": bid.version - 1}).status_code == 409
    # A collector who is not on the team is not among the choices.
    response = post(
        lead, "bid-settle", bid, {"version": bid.version, "collector": people["_other"].pk}
    )
    assert response.status_code == 400
    assert snapshot(bid) == before and not Settlement.objects.exists()


@pytest.mark.parametrize("action", ["bid-approve", "bid-dispute"])
def test_approving_or_disputing_is_for_the_team(signed_in, people, bid, intake_coordinator, action):
    bid = proposed(bid, people, intake_coordinator)
    before = snapshot(bid)
    data = {"version": bid.version, "reason": "Not mine"}
    assert post(signed_in(people["other member"]), action, bid, data).status_code == 403
    assert post(signed_in(people["intake coordinator"]), action, bid, data).status_code == 403
    assert not Settlement.objects.get(bid=bid).approvals.exists()
    assert Settlement.objects.get(bid=bid).state == Settlement.State.PROPOSED
    assert snapshot(bid) == before


def test_a_get_on_an_action_is_405(signed_in, people, bid):
    assert signed_in(people["lead"]).get(url("bid-send", bid)).status_code == 405


# --- My bids --------------------------------------------------------------------------------


def test_my_bids_lists_what_i_lead_am_on_or_am_invited_to(signed_in, people, bidding):
    bid = start_bid(bidding, people, invite_third=True)
    html = signed_in(people["lead"]).get(reverse("my-bids")).content.decode()
    assert bidding.reference in html and "(you)" in html
    html = signed_in(people["_third"].user).get(reverse("my-bids")).content.decode()
    assert "Invitations waiting for your answer" in html and url("bid-accept", bid) in html
    html = signed_in(people["other member"]).get(reverse("my-bids")).content.decode()
    assert bidding.reference not in html


def test_an_invitation_still_open_when_the_team_signs_is_closed(signed_in, people, bid):
    """The agreement comes into force once every accepted member signs, even with an
    invitation unanswered; that invitation is then closed (on the record), so the invitee is
    offered no answer that could only 409 and no longer sees the bid's money."""
    team.bid_invite(
        bid_id=bid.pk,
        actor=people["lead"],
        consultant=people["_third"].pk,
        role="Drupal",
        estimated_hours="20",
    )
    bid = signed(fresh(bid), people)
    seat = BidMember.objects.get(bid=bid, consultant=people["_third"])
    assert seat.status == BidMember.Status.REMOVED
    assert bid.events.filter(action="invitation_closed").exists()
    client = signed_in(people["_third"].user)
    workspace = client.get(url("bid-workspace", bid)).content.decode()
    assert "You are invited to this team" not in workspace
    assert f"{bid.price:,.2f}" not in workspace and str(bid.price) not in workspace
    html = client.get(reverse("my-bids")).content.decode()
    assert url("bid-accept", bid) not in html


# --- The teams panel on the coordinator's request page ----------------------------------------


def request_page(client_request) -> str:
    return reverse("intake-request", args=[client_request.pk])


def test_the_request_page_proposes_teams_to_coordinators(signed_in, people, bidding):
    html = signed_in(people["intake coordinator"]).get(request_page(bidding)).content.decode()
    assert "Proposed teams" in html
    assert "Lead Member" in html and "Second Member" in html
    assert "Planned blended rate" in html and "Estimated cost" in html
    assert "nobody has offered to lead yet" in html


def test_the_request_page_links_the_bid(signed_in, people, bid):
    html = signed_in(people["intake coordinator"]).get(request_page(bid.request)).content.decode()
    assert url("bid-workspace", bid) in html and "Team bid led by" in html


def test_no_teams_panel_on_a_small_request_just_submitted(signed_in, people):
    small = RequestFactory(status=Request.Status.SUBMITTED, estimated_hours=10)
    html = signed_in(people["intake coordinator"]).get(request_page(small)).content.decode()
    assert "Proposed teams" not in html


def test_a_large_request_gets_the_panel_early(signed_in, people):
    large = RequestFactory(status=Request.Status.CONTACTED, estimated_hours=200)
    html = signed_in(people["intake coordinator"]).get(request_page(large)).content.decode()
    assert "Proposed teams" in html and "Open for team bids" in html


def test_the_teams_panel_adds_a_bounded_number_of_queries(
    signed_in, people, bidding, django_assert_max_num_queries
):
    from tests.helpers import count_queries

    client = signed_in(people["intake coordinator"])
    client.get(request_page(bidding))  # builds the index
    # session, user, roles; the request twice (the gate, then with its relations) and its
    # languages; the member record; the move forms' look-ups; the suggestions panel (outside
    # professionals, index stamp, groups); the timeline, offers, referrals and engagements;
    # and the teams panel's own: the request's bid, the index stamp, the collaboration pairs.
    with django_assert_max_num_queries(20):
        client.get(request_page(bidding))
    few = count_queries(client, request_page(bidding))
    civicrm = people["_lead"].skills.get().skill
    for _ in range(10):
        ConsultantSkillFactory(consultant=ConsultantFactory(), skill=civicrm)
    client.get(request_page(bidding))  # rebuilds the index
    # Ten more candidates, the same queries: nothing in the panel reads per member.
    assert count_queries(client, request_page(bidding)) == few
