"""Who may read and change the handbook. Public pages are for anyone; the rest for members.

The alliance's record (meetings, decisions, action items) has stricter rules than its pages:

- **Recording** (a meeting, a motion, an action item) is for working members (active or on
  probation), the record keepers and administrators (``may_record``).
- **Record keepers** are the secretary, the staff coordinators (intake and community) and
  administrators (``keeps_the_record``). They close any decision, change any meeting's record
  and mark any action item done.
- Besides them, only a decision's creator closes it, only a meeting's creator adds decisions
  and action items to it, and only an action item's owner or the meeting's creator marks it
  done; each of them only while a working member.
- A role counts only while its holder is in standing (``network.access.has_role``): an account
  that is also a member holds its roles while that member is a working member; a staff account
  without a member record keeps them.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from handbook.models import ActionItem, Decision, Meeting, Page
from network import access as network_access
from network.models import Consultant
from network.roles import Role


def may_read_members_pages(user) -> bool:
    """Members in good standing, alumni, role holders and administrators (the directory's
    readers) read every page; everyone else reads public pages only."""
    return user is not None and user.is_authenticated and network_access.is_member(user)


# Members who edit: in good standing or on leave. Alumni read the handbook but no longer change
# the alliance's policies.
_EDITOR_STATUSES = (
    Consultant.Status.PROBATION,
    Consultant.Status.ACTIVE,
    Consultant.Status.ON_LEAVE,
)


def may_edit(user) -> bool:
    """Members edit the handbook; so do the record keepers (staff coordinators, the secretary,
    administrators) while their roles are in standing."""
    if not may_read_members_pages(user):
        return False
    if keeps_the_record(user):
        return True
    consultant = network_access.consultant_of(user)
    return consultant is not None and consultant.status in _EDITOR_STATUSES


def visible_pages(user) -> QuerySet[Page]:
    if may_read_members_pages(user):
        return Page.objects.all()
    return Page.objects.filter(visibility=Page.Visibility.PUBLIC)


def get_page_for_user(user, slug: str, *, write: bool = False) -> Page:
    """404 when the user may not read the page; 403 with ``write`` when they may not edit it."""
    page = (
        visible_pages(user)
        .select_related("latest_revision", "owner")
        .defer("latest_revision__body")  # the page holds the same text in its own body
        .filter(slug=slug)
        .first()
    )
    if page is None:
        raise Http404(_("No such page."))
    if write and not may_edit(user):
        raise PermissionDenied(EDIT_REFUSED)
    return page


# --- The record: meetings, decisions, action items -------------------------------------------


def keeps_the_record(user) -> bool:
    """The secretary (who keeps the minutes, decisions and action items), the staff
    coordinators and administrators."""
    if user is None or not user.is_authenticated:
        return False
    if network_access.is_staff_coordinator(user):
        return True
    return network_access.has_role(user, Role.SECRETARY)


def may_record(user) -> bool:
    """Record a meeting, put a motion to the vote, add an action item to one's own meeting."""
    if keeps_the_record(user):
        return True
    return network_access.working_consultant_of(user) is not None


def may_propose(user) -> bool:
    """Propose a change to a page that changes by decision: it opens a vote, so it is for those
    who may put a motion (``may_record``) and edit the handbook."""
    return may_edit(user) and may_record(user)


def may_withdraw_proposal(user, proposal) -> bool:
    """The record keepers, and the proposal's author while a working member."""
    if keeps_the_record(user):
        return True
    if network_access.working_consultant_of(user) is None:
        return False
    return proposal.author_id is not None and proposal.author_id == user.pk


def may_close_decision(user, decision: Decision) -> bool:
    """The record keepers, and the decision's creator while a working member."""
    if keeps_the_record(user):
        return True
    if network_access.working_consultant_of(user) is None:
        return False
    return decision.created_by_id is not None and decision.created_by_id == user.pk


def may_change_meeting(user, meeting: Meeting) -> bool:
    """Add decisions and action items to a meeting: the record keepers, and the member who
    recorded the meeting while a working member."""
    if keeps_the_record(user):
        return True
    if network_access.working_consultant_of(user) is None:
        return False
    return meeting.created_by_id is not None and meeting.created_by_id == user.pk


def may_mark_done(user, item: ActionItem) -> bool:
    """The record keepers, the item's owner, and the member who recorded its meeting (the only
    member besides the record keepers who adds items to it), each while a working member."""
    if keeps_the_record(user):
        return True
    consultant = network_access.working_consultant_of(user)
    if consultant is None:
        return False
    if item.owner_id == consultant.pk:
        return True
    return item.meeting.created_by_id is not None and item.meeting.created_by_id == user.pk


def get_meeting_for_user(user, pk, *, write: bool = False) -> Meeting:
    """404 when there is no such meeting or the user may not read the record; 403 with
    ``write`` when they may not change the meeting."""
    meeting = None
    if may_read_members_pages(user):
        meeting = Meeting.objects.select_related("minutes").filter(pk=pk).first()
    if meeting is None:
        raise Http404(_("No such meeting."))
    if write and not may_change_meeting(user, meeting):
        raise PermissionDenied(MEETING_REFUSED)
    return meeting


def get_decision_for_user(user, pk, *, write: bool = False) -> Decision:
    """404 when there is no such decision or the user may not read the record; 403 with
    ``write`` (closing the vote) when they may not close it."""
    decision = None
    if may_read_members_pages(user):
        decision = (
            Decision.objects.select_related(
                "meeting", "adopted_revision__page", "closed_by__consultant", "proposal__page"
            )
            .filter(pk=pk)
            .first()
        )
    if decision is None:
        raise Http404(_("No such decision."))
    if write and not may_close_decision(user, decision):
        raise PermissionDenied(CLOSE_REFUSED)
    return decision


def get_action_item_for_user(user, pk, *, meeting_id=None, write: bool = False) -> ActionItem:
    """404 when there is no such item (in ``meeting_id``, when given) or the user may not read
    the record; 403 with ``write`` (marking it done) when they may not."""
    item = None
    if may_read_members_pages(user):
        rows = ActionItem.objects.select_related("meeting", "owner").filter(pk=pk)
        if meeting_id is not None:
            rows = rows.filter(meeting_id=meeting_id)
        item = rows.first()
    if item is None:
        raise Http404(_("No such action item."))
    if write and not may_mark_done(user, item):
        raise PermissionDenied(MARK_DONE_REFUSED)
    return item


EDIT_REFUSED = _("Only members of the alliance edit the handbook.")
MEETING_REFUSED = _(
    "Only the member who recorded this meeting, the secretary and the staff coordinators add "
    "decisions and action items to it."
)
CLOSE_REFUSED = _(
    "Only the member who opened this decision, the secretary and the staff coordinators close "
    "its vote."
)
MARK_DONE_REFUSED = _(
    "Only the item's owner, the member who recorded the meeting, the secretary and the staff "
    "coordinators mark an action item done."
)
