"""The bid pages' tests' figures, who may open a bid page, a bid started on their request and
taken on stage by stage through the services, a snapshot of what an action could change, and
posting an action (plain functions; the people, the request and the bid are fixtures in
``tests/bids/conftest.py``)."""

from django.urls import reverse
from django.utils import timezone

from intake.bids import settlement, states, team, terms, work
from intake.bids.models import AgreementVersion, Bid, BidEvent, HoursEntry
from network.templatetags.money import format_money

# Figures that appear nowhere else on the pages, so their absence proves the money is hidden.
PRICE = "12345.67"
LEAD_RATE = "101.11"
SECOND_RATE = "83.33"
THIRD_RATE = "77.77"

# Who may open the board, the start page, a workspace and my bids: working members and
# coordinators; an applicant gets 403 and an anonymous visitor goes to sign in.
BOARD_CODES = {
    "anonymous": 302,
    "applicant": 403,
    "other member": 200,
    "team member": 200,
    "lead": 200,
    "intake coordinator": 200,
}


def start_bid(request, people, *, invite_third=False) -> Bid:
    invite = [
        {"consultant": people["_second"].pk, "role": "Accessibility", "estimated_hours": "30"}
    ]
    if invite_third:
        invite.append(
            {"consultant": people["_third"].pk, "role": "Drupal", "estimated_hours": "20"}
        )
    return team.bid_create(
        request_id=request.pk,
        actor=people["lead"],
        price=PRICE,
        lead_estimated_hours="40",
        invite=invite,
    )


def url(name, bid) -> str:
    return reverse(name, args=[bid.pk])


def section(bid, name: str) -> str:
    """The workspace's address showing one section."""
    return f"{reverse('bid-workspace', args=[bid.pk])}?section={name}"


def money(amount, currency="USD") -> str:
    """An amount as the pages and emails write it: "USD 12,345.67" (a no-break space)."""
    return format_money(amount, currency)


def messages_of(response) -> list[str]:
    """The messages the request behind ``response`` added (not those still waiting from before)."""
    return [str(message) for message in response.wsgi_request._messages._queued_messages]


def post(client, name, bid, data=None, follow=False):
    return client.post(url(name, bid), data or {}, follow=follow)


def login_redirect(path: str) -> str:
    return f"{reverse('login')}?next={path}"


# --- The bid fixture taken on, stage by stage ------------------------------------------------


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
