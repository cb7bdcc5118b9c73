"""What the handbook puts on the desk (``network.desk``): for the record keepers (the secretary,
the staff coordinators, administrators) the open decisions, the action items and the policies
due for review; for a working member the votes, action items and pages that wait for them.

Registered by ``HandbookConfig.ready``. Each panel reads its counts in one query
(``network.desk.count_all``) and one query per list.
"""

import datetime

from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from handbook import access
from handbook.models import ActionItem, Decision, Page, Vote
from handbook.reminders import ACTION_ITEM_NOTICE_DAYS, pages_due_for_review
from network import access as network_access
from network import desk


def _open_decisions(now):
    return Decision.objects.filter(closed_at__isnull=True).filter(
        Q(closes_at__isnull=True) | Q(closes_at__gt=now)
    )


def _votes_waiting(consultant, now):
    """Open decisions ``consultant`` may vote on and has not."""
    voted = Vote.objects.filter(
        decision=OuterRef("pk"), consultant=consultant, superseded_at__isnull=True
    )
    waiting = _open_decisions(now).filter(eligible=consultant).filter(~Exists(voted))
    if consultant.status == consultant.Status.PROBATION:
        # Members on probation take part in a decision opened under the rule that they do not
        # vote, but have no vote waiting on it.
        waiting = waiting.exclude(probation_votes=False)
    return waiting


def _open_items():
    return ActionItem.objects.filter(done_at__isnull=True)


def _soon(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=ACTION_ITEM_NOTICE_DAYS)


def _day(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def _motion(decision: Decision) -> str:
    return Truncator(decision.text).chars(90)


def _decision_item(decision: Decision, now, *, for_vote: bool) -> desk.DeskItem:
    if decision.closes_at is None:
        if for_vote:
            note = _("Your vote is waiting. Open, with no closing time: the vote is closed by hand")
        else:
            note = _("Open, with no closing time: the vote is closed by hand")
    else:
        closes = date_format(timezone.localtime(decision.closes_at), "j F, H:i")
        if for_vote:
            note = _("Your vote is waiting. Voting closes %(when)s") % {"when": closes}
        else:
            note = _("Voting closes %(when)s") % {"when": closes}
    return desk.DeskItem(
        title=_motion(decision),
        url=decision.get_absolute_url(),
        note=note,
        urgent=decision.closes_at is not None
        and decision.closes_at <= now + datetime.timedelta(days=1),
    )


def _action_item(item: ActionItem, today: datetime.date, *, owner: bool) -> desk.DeskItem:
    late = item.due < today
    if late:
        note = _("Was due %(day)s") % {"day": _day(item.due)}
    else:
        note = _("Due %(day)s") % {"day": _day(item.due)}
    if not owner:
        note += f" · {item.owner.display_name}"
    return desk.DeskItem(
        title=item.text,
        url=item.meeting.get_absolute_url() + "#actions",
        note=note,
        urgent=late,
    )


def _page_item(page: Page) -> desk.DeskItem:
    reviewed = _day(page.last_reviewed) if page.last_reviewed else None
    return desk.DeskItem(
        title=page.title,
        url=page.get_absolute_url(),
        note=_("Last reviewed %(day)s") % {"day": reviewed} if reviewed else _("Never reviewed"),
    )


def _pages_list(pages):
    return pages.only("pk", "slug", "title", "last_reviewed").order_by(
        F("last_reviewed").asc(nulls_first=True), "title", "pk"
    )[: desk.ITEMS_SHOWN]


def _items_list(items):
    return (
        items.select_related("meeting", "owner")
        .only("pk", "text", "due", "meeting__id", "owner__display_name")
        .order_by("due", "pk")[: desk.ITEMS_SHOWN]
    )


# --- Panels ---------------------------------------------------------------------------------


def record_panel(user) -> desk.DeskPanel:
    now = timezone.now()
    today = timezone.localdate()
    counted = desk.count_all(
        user,
        {
            "decisions": _open_decisions(now),
            "late": _open_items().filter(due__lt=today),
            "open": _open_items(),
            "pages": pages_due_for_review(today),
        },
    )
    decisions = (
        _open_decisions(now)
        .only("pk", "text", "closes_at")
        .order_by(F("closes_at").asc(nulls_last=True), "created_at", "pk")[: desk.ITEMS_SHOWN]
    )
    items = [_decision_item(decision, now, for_vote=False) for decision in decisions]
    items += [_action_item(item, today, owner=False) for item in _items_list(_open_items())]
    items += [_page_item(page) for page in _pages_list(pages_due_for_review(today))]
    return desk.DeskPanel(
        key="record",
        title=_("The alliance's record"),
        order=50,
        intro=_(
            "Decisions open for votes, action items from meetings and policies due for review."
        ),
        counts=[
            desk.DeskCount(
                _("Decisions open"), counted["decisions"], reverse("handbook-decisions")
            ),
            desk.DeskCount(
                _("Action items overdue"), counted["late"], reverse("handbook-meetings")
            ),
            desk.DeskCount(_("Action items open"), counted["open"], reverse("handbook-meetings")),
            desk.DeskCount(
                _("Policies due for review"),
                counted["pages"],
                reverse("handbook-index") + "?due=on",
            ),
        ],
        items=items,
        items_title=_("Open decisions, action items and reviews"),
        empty_text=_("The record is up to date: no open decision, no action item, no review due."),
        link_url=reverse("handbook-meetings"),
        link_text=_("Meetings and minutes"),
    )


def member_panel(user, consultant) -> desk.DeskPanel:
    now = timezone.now()
    today = timezone.localdate()
    mine = _open_items().filter(owner=consultant)
    my_pages = pages_due_for_review(today).filter(owner=consultant)
    counted = desk.count_all(
        user,
        {"votes": _votes_waiting(consultant, now), "items": mine, "pages": my_pages},
    )
    votes = (
        _votes_waiting(consultant, now)
        .only("pk", "text", "closes_at")
        .order_by(F("closes_at").asc(nulls_last=True), "created_at", "pk")[: desk.ITEMS_SHOWN]
    )
    items = [_decision_item(decision, now, for_vote=True) for decision in votes]
    items += [_action_item(item, today, owner=True) for item in _items_list(mine)]
    items += [_page_item(page) for page in _pages_list(my_pages)]
    return desk.DeskPanel(
        key="handbook",
        title=_("Your votes and action items"),
        order=60,
        intro=_("Decisions waiting for your vote, what you took on at meetings, pages you keep."),
        counts=[
            desk.DeskCount(_("Votes waiting"), counted["votes"], reverse("handbook-decisions")),
            desk.DeskCount(_("Your action items"), counted["items"], reverse("handbook-meetings")),
            desk.DeskCount(_("Your pages due for review"), counted["pages"]),
        ],
        items=items,
        items_title=_("Waiting for you"),
        empty_text=_("No vote is waiting for you, you have no open action item and no page due."),
        link_url=reverse("handbook-decisions"),
        link_text=_("The decisions register"),
    )


def panels(user):
    found = []
    if access.keeps_the_record(user):
        found.append(record_panel(user))
    consultant = network_access.working_consultant_of(user)
    if consultant is not None:
        found.append(member_panel(user, consultant))
    return found


# --- The navigation's counts ------------------------------------------------------------------


def counts(user):
    """Decisions: votes waiting for the member. Meetings: the member's action items due within
    the reminder's notice, and for the record keepers every overdue item. Handbook: policies due
    for review (the member's own; all of them for the record keepers)."""
    today = timezone.localdate()
    keeper = access.keeps_the_record(user)
    consultant = network_access.working_consultant_of(user)
    found = []
    items = Q(due__lt=today) if keeper else Q()
    pages = Q() if keeper else None
    if consultant is not None:
        found.append(("decisions", _votes_waiting(consultant, timezone.now())))
        items |= Q(owner=consultant, due__lte=_soon(today))
        if pages is None:
            pages = Q(owner=consultant)
    if items:
        found.append(("meetings", _open_items().filter(items)))
    if pages is not None:
        found.append(("handbook", pages_due_for_review(today).filter(pages)))
    return found


def register() -> None:
    desk.register("handbook", panels, counts=counts)
