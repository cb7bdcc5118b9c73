"""Who may read and change the handbook. Public pages are for anyone; the rest for members."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from handbook.models import Page
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
    """Members edit the handbook (issue 6); so do staff coordinators, the secretary (who keeps
    the minutes, decisions and action items) and administrators."""
    if not may_read_members_pages(user):
        return False
    if network_access.is_staff_coordinator(user):
        return True
    if network_access.has_role(user, Role.SECRETARY):
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
        raise Http404("No such page.")
    if write and not may_edit(user):
        raise PermissionDenied("Only members of the alliance edit the handbook.")
    return page
