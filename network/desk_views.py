"""The desk (/desk/): where sign-in lands. One panel per thing the user looks after, from every
app's provider (``network.desk``); a friendly page for those who look after nothing yet."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from network import access, desk
from network.roles import Role


def _roles_in_words(user, consultant) -> list[str]:
    """The hats the user wears here, as the page names them."""
    names = []
    if access.is_admin(user):
        names.append(_("administrator"))
    names.extend(
        str(role.label).lower()
        for role in Role
        if role.value in access.role_names(user) and access.has_role(user, role)
    )
    if access.is_group_coordinator(user):
        names.append(_("group coordinator"))
    if consultant is not None and consultant.can_be_offered_work:
        on_probation = consultant.status == consultant.Status.PROBATION
        names.append(_("member on probation") if on_probation else _("member"))
    return names


@require_safe
@login_required
def desk_page(request):
    user = request.user
    consultant = access.consultant_of(user)
    panels = desk.panels_for(user)
    context = {
        "panels": panels,
        "consultant": consultant,
        "roles_in_words": _roles_in_words(user, consultant),
        # A member record that is not working: on leave, alumni, an applicant, a former member.
        "not_working": consultant is not None and not consultant.can_be_offered_work,
        # Alumni and members on leave still read their past offers and engagements.
        "sees_past_work": consultant is not None and access.is_member(user),
        "name": consultant.display_name if consultant is not None else user.get_username(),
    }
    return render(request, "network/desk.html", context)
