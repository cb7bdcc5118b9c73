"""Reads of the network that need more than one query."""

from django.db.models import Prefetch, QuerySet

from network import access
from network.models import Consultant, ConsultantSkill


def consultant_directory(user) -> QuerySet[Consultant]:
    """The consultants ``user`` may see, with everything a directory row shows prefetched.

    Working members come first, then members on leave, applicants, alumni and former members,
    each by name (``Consultant.status_rank``); an ``ordering`` the caller asks for replaces it.
    Queries for a page: the page itself, then skills (with their skill), languages and groups,
    one query each, however many rows the page has.
    """
    return (
        access.visible_consultants(user)
        .order_by("status_rank", "display_name", "pk")
        .select_related("user")
        .prefetch_related(
            Prefetch("skills", queryset=ConsultantSkill.objects.select_related("skill")),
            "languages",
            "consultant_groups",
        )
    )
