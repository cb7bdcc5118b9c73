from network import access
from network.desk import desk_nav_for

# The navigation's group of each page that sits in one (base.html), so the group's button shows
# where the reader is. The bid board sits in "My work" for working members, in "Coordination"
# for staff without a member record.
NAV_GROUP_OF = {
    "my-offers": "my_work",
    "my-engagements": "my_work",
    "my-bids": "my_work",
    "intake-queue": "coordination",
    "intake-metrics": "coordination",
    "member-list": "alliance",
    "handbook-meetings": "alliance",
    "handbook-decisions": "alliance",
    "my-profile": "account",
    "password_change": "account",
}


def roles(request):
    """Expose what the signed-in user may do, so templates show only the links that work, and the
    navigation's counts (counted only if the page shows the navigation: ``DeskNav``)."""
    user = request.user
    consultant = access.consultant_of(user)
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None else None
    group = NAV_GROUP_OF.get(current)
    if current == "bid-board":
        working = consultant is not None and consultant.can_be_offered_work
        group = "my_work" if working else "coordination"
    return {
        "is_coordinator": access.is_coordinator(user),
        "is_member": access.is_member(user),
        "my_consultant": consultant,
        "desk_nav": desk_nav_for(request),
        "nav_group": group,
    }
