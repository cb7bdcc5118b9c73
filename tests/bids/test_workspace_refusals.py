"""What the workspace says after each action (``intake/bids/actions.py``), the answer to a move the
bid refused (``intake/bids/views.py``: a 303 back to the action's section, saying what changed,
while the API keeps its 409), the confirmation of moves that cannot be undone, and the copy of
the start page and the bid board."""

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.bids import settlement, states, team, terms, work
from tests.bids.page_helpers import (
    fresh,
    in_progress,
    messages_of,
    post,
    proposed,
    section,
    sent,
    signed,
    snapshot,
    start_bid,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


def said(response) -> str:
    assert response.status_code == 302, response.content[:500]
    (message,) = messages_of(response)
    return message


# --- What each action says -------------------------------------------------------------------


def test_the_team_actions_say_what_happened_to_whom(signed_in, people, bidding):
    bid = start_bid(bidding, people)
    reference = bid.request.reference

    def lead():
        return signed_in(people["lead"])

    answer = post(signed_in(people["team member"]), "bid-accept", bid, {"version": bid.version})
    assert said(answer) == f"You joined the team bidding on {reference}."
    bid = fresh(bid)
    data = {"version": bid.version, "member": [people["_third"].pk], "role": ["Drupal"]}
    answer = post(lead(), "bid-invite-team", bid, {**data, "estimated_hours": ["20"]})
    assert said(answer) == "Invitations sent to Third Member."
    bid = fresh(bid)
    answer = post(
        lead(),
        "bid-member",
        bid,
        {
            "version": bid.version,
            "consultant": people["_second"].pk,
            "role": "Accessibility lead",
            "estimated_hours": "32.5",
        },
    )
    number = terms.current_agreement(bid).number
    assert said(answer) == (
        "Saved Second Member: Accessibility lead, 32.5 h planned. The agreement is now version "
        f"{number}."
    )
    answer = post(
        signed_in(people["_third"].user),
        "bid-decline",
        fresh(bid),
        {"version": fresh(bid).version, "reason": "Booked."},
    )
    assert said(answer) == (
        f"You declined the invitation to the bid on {reference}; the lead is told."
    )
    bid = fresh(bid)
    answer = post(
        lead(), "bid-remove", bid, {"version": bid.version, "consultant": people["_second"].pk}
    )
    assert said(answer) == "Second Member is off the team."


def test_the_agreements_moves_say_what_happened(signed_in, people, bid, intake_coordinator):
    reference = bid.request.reference
    number = terms.current_agreement(bid).number

    def lead():
        return signed_in(people["lead"])

    answer = post(lead(), "bid-send", bid, {"version": bid.version})
    assert said(answer) == (
        f"Agreement version {number} sent to the team for signature; each member is emailed."
    )
    for who in ("lead", "team member"):
        terms.agreement_sign(bid_id=bid.pk, actor=people[who], agreement_version=number)
    answer = post(lead(), "bid-submit", fresh(bid), {"version": fresh(bid).version})
    assert said(answer) == f"The bid on {reference} is submitted to the client."
    coordinator = signed_in(intake_coordinator)
    answer = post(
        coordinator, "bid-decide", fresh(bid), {"version": fresh(bid).version, "outcome": "won"}
    )
    assert said(answer) == (
        f"Recorded: the client took the bid on {reference}. The lead starts the work when the "
        "team begins."
    )
    answer = post(lead(), "bid-start-work", fresh(bid), {"version": fresh(bid).version})
    today = timezone.localdate()
    assert said(answer) == (
        f"The work started on {today.day} {today:%b}: the team can log hours from today."
    )


def test_withdrawing_says_what_happened(signed_in, people, bid, intake_coordinator):
    reference = bid.request.reference
    answer = post(signed_in(people["lead"]), "bid-withdraw", bid, {"version": bid.version})
    assert said(answer) == (
        f"You withdrew the bid on {reference}. The request stays open for other bids."
    )
    assert answer["Location"] == section(bid, "agreement")


def test_recording_a_lost_bid_says_so(signed_in, people, bid, intake_coordinator):
    bid = signed(bid, people)
    states.bid_submit(bid_id=bid.pk, actor=people["lead"])
    bid = fresh(bid)

    answer = post(
        signed_in(intake_coordinator),
        "bid-decide",
        bid,
        {"version": bid.version, "outcome": "lost"},
    )

    assert said(answer) == f"Recorded: the client turned down the bid on {bid.request.reference}."


def test_disputing_says_the_hours_reopen(signed_in, people, bid, intake_coordinator):
    bid = proposed(bid, people, intake_coordinator)
    answer = post(
        signed_in(people["team member"]),
        "bid-dispute",
        bid,
        {"version": bid.version, "reason": "An hour is missing"},
    )
    assert said(answer) == (
        "You disputed the statement: it is withdrawn and the hours are open again."
    )


def test_no_message_reads_like_a_developers(signed_in, people, bid, intake_coordinator):
    """No reference-prefixed shorthand ("R-1: …"), no "reload", no versions of a row."""
    bid = in_progress(bid, people, intake_coordinator)
    client = signed_in(people["team member"])
    today = timezone.localdate().isoformat()
    message = said(post(client, "bid-hours", bid, {"date": today, "hours": "8"}))

    assert message.startswith("Hours logged: 8 on ")
    assert not message.startswith(bid.request.reference)


# --- The board and the start page ------------------------------------------------------------


def test_volunteering_and_starting_say_what_happened(signed_in, people, bidding):
    reference = bidding.reference
    member = signed_in(people["other member"])
    response = member.post(reverse("bid-volunteer", args=[bidding.pk]), {"note": "Drupal"})
    assert said(response) == (
        f"You volunteered to join the team bidding on {reference}; the lead sees your note."
    )
    response = signed_in(people["lead"]).post(
        reverse("bid-start", args=[bidding.pk]),
        {
            "price": "12000",
            "alliance_share_percent": "0",
            "split_mode": "equal_rate",
            "lead_role": "Lead",
            "lead_estimated_hours": "30",
        },
    )
    assert said(response) == f"Your bid on {reference} is started. Invite the team next."


def test_the_lead_reads_their_own_role_hint(signed_in, people, bidding, intake_coordinator):
    own = signed_in(people["lead"]).get(reverse("bid-start", args=[bidding.pk])).content.decode()
    staff = signed_in(intake_coordinator).get(reverse("bid-start", args=[bidding.pk]))

    assert "What you do on the team." in own and "Your role" in own
    assert "What they do on the team." not in own
    assert "What the lead does on the team." in staff.content.decode()


def test_volunteering_is_not_styled_as_a_danger(signed_in, people, bidding):
    html = signed_in(people["other member"]).get(reverse("bid-board")).content.decode()
    panel = html.split("Volunteer to join", 1)[0].rsplit("<details", 1)[1]

    assert 'class="volunteer-panel"' in panel and "decline-panel" not in panel


# --- A move the bid refused ------------------------------------------------------------------


def test_a_stale_move_goes_back_to_its_section_saying_what_changed(signed_in, people, bid):
    seen = bid.version
    terms.bid_terms_change(bid_id=bid.pk, actor=people["lead"], version=seen, price="13000.00")
    before = snapshot(bid)
    client = signed_in(people["lead"])

    response = post(client, "bid-send", bid, {"version": seen})

    assert response.status_code == 303
    assert response["Location"] == f"/bids/{bid.pk}/?section=agreement"
    assert messages_of(response) == [
        "The agreement was not sent: the bid changed after you opened the page. The latest "
        "change: Changed the terms (Lead Member). It is now draft. Check it as it is now, then "
        "try again if it still makes sense."
    ]
    assert snapshot(bid) == before
    page = client.get(response["Location"])
    assert page.status_code == 200 and "The agreement was not sent" in page.content.decode()


def test_the_message_is_on_the_page_the_browser_lands_on(signed_in, people, bid):
    stale = bid.version
    team.bid_invite(
        bid_id=bid.pk,
        actor=people["lead"],
        version=stale,
        consultant=people["_third"],
        role="QA",
        estimated_hours="3",
    )

    response = post(
        signed_in(people["lead"]),
        "bid-member",
        bid,
        {
            "version": stale,
            "consultant": people["_second"].pk,
            "role": "QA",
            "estimated_hours": "3",
        },
        follow=True,
    )

    assert response.redirect_chain == [(section(bid, "team"), 303)]
    html = response.content.decode()
    assert '<div class="messages" role="status">' in html
    assert "The member&#x27;s role and hours were not saved: the bid changed" in html
    assert "The latest change: Invited a member (Lead Member)." in html
    assert '<h2 id="team-title">Team</h2>' in html


def test_a_move_the_status_refuses_is_told_in_plain_words(
    signed_in, people, bid, intake_coordinator
):
    bid = in_progress(bid, people, intake_coordinator)
    work.hours_log(bid_id=bid.pk, actor=people["lead"], date=timezone.localdate(), hours="8")
    settlement.bid_settle(bid_id=bid.pk, actor=people["lead"])
    client = signed_in(people["team member"])

    response = post(client, "bid-hours", fresh(bid), {"date": timezone.localdate(), "hours": "2"})

    assert response.status_code == 303 and response["Location"] == section(bid, "hours")
    assert messages_of(response) == [
        "Your hours were not logged. The statement is out for the team's approval: the hours are "
        "fixed until every member approves it, or a member disputes it and the work reopens. "
        "Nothing was changed."
    ]


def test_the_api_still_answers_a_stale_move_with_409(api_as, people, bid):
    stale = bid.version
    terms.bid_terms_change(bid_id=bid.pk, actor=people["lead"], version=stale, price="13000.00")

    response = api_as(people["lead"]).post(
        f"/api/v1/bids/{bid.pk}/transitions/", {"action": "send", "version": stale}, format="json"
    )

    assert response.status_code == 409


# --- Moves that cannot be undone ask to confirm ------------------------------------------------


def confirm_panel(html: str, action: str) -> str:
    """The disclosure around the form posting to ``action``."""
    before, after = html.split(f'action="{action}"', 1)
    return before.rsplit("<details", 1)[1] + after.split("</details>", 1)[0]


def test_withdrawing_is_confirmed_with_a_second_button(signed_in, people, bid):
    html = signed_in(people["lead"]).get(section(bid, "agreement")).content.decode()

    panel = confirm_panel(html, url("bid-withdraw", bid))
    assert 'class="bid-confirm bid-confirm-danger"' in panel
    assert "<summary>Withdraw the bid…</summary>" in panel
    assert ">Yes, withdraw the bid</button>" in panel
    assert "it cannot be taken back" in panel


def test_submitting_and_the_clients_answer_are_confirmed(
    signed_in, people, bid, intake_coordinator
):
    bid = signed(bid, people)
    html = signed_in(people["lead"]).get(url("bid-workspace", bid)).content.decode()
    assert ">Yes, submit the bid to the client</button>" in confirm_panel(
        html, url("bid-submit", bid)
    )
    states.bid_submit(bid_id=bid.pk, actor=people["lead"])

    html = signed_in(intake_coordinator).get(url("bid-workspace", fresh(bid))).content.decode()

    assert html.count('class="bid-confirm"') == 2
    assert "<summary>The client took the bid…</summary>" in html
    assert ">Yes, record the bid as won</button>" in html
    assert ">Yes, record the bid as lost</button>" in html


def test_only_the_last_approval_asks_to_confirm(signed_in, people, bid, intake_coordinator):
    bid = proposed(bid, people, intake_coordinator)
    lead = signed_in(people["lead"])
    html = lead.get(section(bid, "settlement")).content.decode()
    assert "Approve the statement</button>" in html and "bid-confirm" not in html

    settlement.statement_approve(bid_id=bid.pk, actor=people["team member"])
    html = lead.get(section(bid, "settlement")).content.decode()

    panel = confirm_panel(html, url("bid-approve", bid))
    assert "<summary>Approve the statement…</summary>" in panel
    assert "Yours is the last approval: the statement becomes final" in panel
    assert ">Yes, approve: the statement is final</button>" in panel


def test_sent_agreements_leave_signing_a_single_button(signed_in, people, bid):
    bid = sent(bid, people)
    html = signed_in(people["team member"]).get(url("bid-workspace", bid)).content.decode()

    assert "Sign version" in html and "bid-confirm" not in html
