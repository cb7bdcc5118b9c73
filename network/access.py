"""Who may see or change what in the network. Every rule lives here, one condition per line.

Views and API endpoints load objects only through the ``get_<thing>_for_user`` gatekeepers:
404 when the user may not see the object, 403 when they may see but not change it.
"""

from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from network.db import FixedQuery
from network.models import Consultant, ConsultantGroup, ExternalProfessional, Skill, User
from network.roles import Role

# Statuses whose holders may sign in and read the directory. Applicants are not yet members and
# former members have left; alumni stay part of the community.
_DIRECTORY_READER_STATUSES = {
    Consultant.Status.PROBATION,
    Consultant.Status.ACTIVE,
    Consultant.Status.ON_LEAVE,
    Consultant.Status.ALUMNI,
}


# The sample values below only stand in for a real one while each query is compiled, once
# per process (network.db.FixedQuery): no account or member has them.
_SAMPLE_ID = -7_000_001


def _roles_query(user_id):
    # The status of the account's member record comes in the same query: a role is only
    # exercised while its holder works (``_roles_suspended``).
    member_status = Consultant.objects.filter(user_id=user_id).order_by().values("status")[:1]
    return (
        User.groups.through.objects.filter(user_id=user_id)
        .annotate(member_status=Subquery(member_status))
        .values_list("group__name", "member_status")
    )


_ROLES = FixedQuery(_roles_query, _SAMPLE_ID)


def role_names(user) -> frozenset[str]:
    """The user's role group names, read once per request and cached on the user object.

    Every API call and most pages ask, so the query is compiled once (``FixedQuery``).
    """
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_switchboard_roles"):
        rows = _ROLES.rows(user.pk)
        user._switchboard_roles = frozenset(name for name, _status in rows)
        user._switchboard_roles_suspended = any(
            status is not None and status not in Consultant.WORKING_STATUSES
            for _name, status in rows
        )
    return user._switchboard_roles


_CONSULTANT_FIELDS = [field.attname for field in Consultant._meta.concrete_fields]


def _consultant_query(user_id):
    coordinated = ConsultantGroup.objects.filter(coordinator=OuterRef("pk"))
    return (
        Consultant.objects.filter(user_id=user_id)
        .annotate(coordinates_a_group=Exists(coordinated))
        .order_by()
        .values_list(*_CONSULTANT_FIELDS, "coordinates_a_group")
    )


_CONSULTANT = FixedQuery(_consultant_query, _SAMPLE_ID)


def consultant_of(user) -> Consultant | None:
    """The signed-in user's own member record, if they have one (cached on the user).

    Whether the member coordinates a consultant group comes in the same query
    (``coordinates_a_group``, read by ``is_group_coordinator``): every member's directory
    page asks both. The query is compiled once (``FixedQuery``); a user has one record at
    most (``Consultant.user`` is one-to-one).
    """
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_switchboard_consultant"):
        consultant = None
        for row in _CONSULTANT.rows(user.pk):
            consultant = Consultant.from_db(DEFAULT_DB_ALIAS, _CONSULTANT_FIELDS, row[:-1])
            consultant.coordinates_a_group = row[-1]
        user._switchboard_consultant = consultant
    return user._switchboard_consultant


def working_consultant_of(user) -> Consultant | None:
    """The user's member record while they are a working member (active or on probation).

    Every right a member holds as a member (coordinating a group, holding an offer, leading a
    bid, reaching a client) goes through this: a member on leave, an alumnus or a former member
    keeps their record and their history but none of its powers.
    """
    if user is None:
        return None
    consultant = consultant_of(user)
    if consultant is None or not consultant.can_be_offered_work:
        return None
    return consultant


def _roles_suspended(user) -> bool:
    """A role held by an account whose member record is no longer working is not exercised.

    Staff accounts without a member record (a community coordinator, a secretary) are not
    members and keep their roles; an account that is also a member holds its roles only while
    the member works (``network.services.consultant_set_status`` also takes them away).
    """
    role_names(user)
    return user._switchboard_roles_suspended


def has_role(user, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if role.value not in role_names(user):
        return False
    return not _roles_suspended(user)


def holds_any_role(user) -> bool:
    """Holds one of the alliance's roles and may exercise it (see ``has_role``)."""
    return bool(role_names(user)) and not _roles_suspended(user)


def is_admin(user) -> bool:
    return user.is_authenticated and user.is_superuser


def is_staff_coordinator(user) -> bool:
    """Intake and community coordinators (and administrators) look after the whole network."""
    if is_admin(user):
        return True
    if has_role(user, Role.INTAKE_COORDINATOR):
        return True
    return has_role(user, Role.COMMUNITY_COORDINATOR)


def is_group_coordinator(user) -> bool:
    """Coordinates a consultant group, as a working member (a coordinator who stops working
    loses the role with their status change; this also refuses one the change missed)."""
    consultant = working_consultant_of(user)
    if consultant is None:
        return False
    return consultant.coordinates_a_group


def is_coordinator(user) -> bool:
    """Any coordinator: intake, community, or the coordinator of a consultant group."""
    if is_staff_coordinator(user):
        return True
    return is_group_coordinator(user)


def is_member(user) -> bool:
    """May read the directory: members in good standing, alumni, role holders and admins."""
    if not user.is_authenticated:
        return False
    if is_admin(user):
        return True
    if holds_any_role(user):
        return True
    consultant = consultant_of(user)
    return consultant is not None and consultant.status in _DIRECTORY_READER_STATUSES


def can_see_rates(viewer, consultant: Consultant) -> bool:
    """Rates are shown to coordinators, who route work by budget, and to the member themself."""
    if is_coordinator(viewer):
        return True
    return viewer.is_authenticated and consultant.user_id == viewer.pk


def can_edit_consultant(user, consultant: Consultant) -> bool:
    if is_staff_coordinator(user):
        return True
    return user.is_authenticated and consultant.user_id == user.pk


def can_change_member_status(user) -> bool:
    """Admission, probation and alumni status belong to the community coordinator."""
    if is_admin(user):
        return True
    return has_role(user, Role.COMMUNITY_COORDINATOR)


def can_edit_taxonomy(user) -> bool:
    return is_staff_coordinator(user)


def can_edit_external_professionals(user) -> bool:
    if is_admin(user):
        return True
    return has_role(user, Role.INTAKE_COORDINATOR)


def can_edit_group(user, group: ConsultantGroup) -> bool:
    if is_staff_coordinator(user):
        return True
    consultant = working_consultant_of(user)
    return consultant is not None and group.coordinator_id == consultant.pk


def visible_consultants(user) -> QuerySet[Consultant]:
    """Members see everyone but applicants; coordinators see applicants too."""
    if not is_member(user):
        return Consultant.objects.none()
    if is_coordinator(user):
        return Consultant.objects.all()
    return Consultant.objects.exclude(status=Consultant.Status.APPLICANT)


def get_consultant_for_user(user, pk, *, write: bool = False) -> Consultant:
    consultant = visible_consultants(user).filter(pk=pk).first()
    if consultant is None:
        raise Http404(_("No such member."))
    if write and not can_edit_consultant(user, consultant):
        raise PermissionDenied(_("You may only change your own profile."))
    return consultant


def get_group_for_user(user, pk, *, write: bool = False) -> ConsultantGroup:
    if not is_member(user):
        raise Http404(_("No such group."))
    group = ConsultantGroup.objects.filter(pk=pk).first()
    if group is None:
        raise Http404(_("No such group."))
    if write and not can_edit_group(user, group):
        raise PermissionDenied(_("Only coordinators may change a group."))
    return group


def get_skill_for_user(user, pk, *, write: bool = False) -> Skill:
    if not is_member(user):
        raise Http404(_("No such skill."))
    skill = Skill.objects.filter(pk=pk).first()
    if skill is None:
        raise Http404(_("No such skill."))
    if write and not can_edit_taxonomy(user):
        raise PermissionDenied(_("Only coordinators may change the skills taxonomy."))
    return skill


def get_external_professional_for_user(user, pk, *, write: bool = False) -> ExternalProfessional:
    if not is_member(user):
        raise Http404(_("No such professional."))
    professional = ExternalProfessional.objects.filter(pk=pk).first()
    if professional is None:
        raise Http404(_("No such professional."))
    if write and not can_edit_external_professionals(user):
        raise PermissionDenied(_("Only intake coordinators may change outside professionals."))
    return professional


def can_create_consultant(user) -> bool:
    """New member records are opened by staff coordinators (imports, admissions)."""
    return is_staff_coordinator(user)


def can_add_or_remove_group(user) -> bool:
    """Creating and dissolving groups is for staff; a group's own coordinator only edits it."""
    return is_staff_coordinator(user)


# --- The out-of-hours rota ------------------------------------------------------------------


def can_read_rota(user) -> bool:
    """Who is on call is read by working members, role holders exercising a role and admins.
    Alumni and members on leave take no duty and read none; former members nothing at all."""
    if is_admin(user):
        return True
    if holds_any_role(user):
        return True
    return working_consultant_of(user) is not None


def rota_member(user) -> Consultant:
    """The member acting on the rota (opting in, swapping): a working member, or a 403."""
    consultant = working_consultant_of(user)
    if consultant is None:
        raise PermissionDenied(_("Only working members take out-of-hours duty."))
    return consultant


# --- Free service days ----------------------------------------------------------------------


def can_read_all_pledges(user) -> bool:
    """Staff coordinators (and administrators) read every member's pledge; members their own."""
    return is_staff_coordinator(user)


def pledge_member(user) -> Consultant:
    """The member pledging free service days: a working member, or a 403."""
    consultant = working_consultant_of(user)
    if consultant is None:
        raise PermissionDenied(_("Only working members pledge free service days."))
    return consultant
