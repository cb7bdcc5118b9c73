"""Who may read and change the handbook. Public pages are for anyone; the rest for members."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from handbook.models import Page
from network import access as network_access


def may_read_members_pages(user) -> bool:
    """Members in good standing, alumni, role holders and administrators (the directory's
    readers) read every page; everyone else reads public pages only."""
    return user is not None and user.is_authenticated and network_access.is_member(user)


def may_edit(user) -> bool:
    """Members edit the handbook (issue 6): the same people who read its members' pages."""
    return may_read_members_pages(user)


def visible_pages(user) -> QuerySet[Page]:
    if may_read_members_pages(user):
        return Page.objects.all()
    return Page.objects.filter(visibility=Page.Visibility.PUBLIC)


def get_page_for_user(user, slug: str, *, write: bool = False) -> Page:
    """404 when the user may not read the page; 403 with ``write`` when they may not edit it."""
    page = visible_pages(user).select_related("latest_revision", "owner").filter(slug=slug).first()
    if page is None:
        raise Http404("No such page.")
    if write and not may_edit(user):
        raise PermissionDenied("Only members of the alliance edit the handbook.")
    return page
