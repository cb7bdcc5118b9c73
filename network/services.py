"""Writes to the network. Each function validates with ``full_clean()`` and runs in one
transaction; status changes always leave a ``ConsultantStatusChange`` row behind."""

import calendar
import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from network.models import (
    OFFERED_LANGUAGES,
    Consultant,
    ConsultantGroup,
    ConsultantSkill,
    ConsultantStatusChange,
    ExternalProfessional,
    FreeServicePledge,
    Language,
    Skill,
    SkillAlias,
    TimeAway,
)
from network.roles import ROLE_PERMISSIONS, Role
from network.text import fold

User = get_user_model()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last_day))


def roles_ensure() -> None:
    """Create the role groups and give them their permissions (idempotent)."""
    for role, permission_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for name in permission_names:
            app_label, codename = name.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.add(*wanted)


def languages_ensure() -> None:
    existing = set(Language.objects.values_list("code", flat=True))
    Language.objects.bulk_create(
        [Language(code=code, name=name) for code, name in OFFERED_LANGUAGES if code not in existing]
    )


def user_grant_role(*, user, role: Role) -> None:
    """Give ``user`` an alliance role; an account whose member record is not working (on leave,
    alumni, former, applicant) cannot hold one."""
    consultant = Consultant.objects.filter(user=user).first()
    if consultant is not None and not consultant.can_be_offered_work:
        raise ValidationError(
            _("%(name)s is %(status)s; roles are held by active members and members on probation.")
            % {"name": consultant, "status": consultant.status_in_words}
        )
    user.groups.add(Group.objects.get(name=role))


# --- Consultants ----------------------------------------------------------------------------

# The profile fields a member edits (forms and serializers use this list, in this order).
PROFILE_FIELDS = (
    "display_name",
    "bio",
    "website",
    "location",
    "timezone",
    "remote_ok",
    "hourly_rate",
    "currency",
    "sliding_scale",
    "pro_bono_hours_per_month",
    "capacity_hours_per_week",
)


def _refuse_unknown(fields, allowed, noun: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown or protected {noun} fields: {sorted(unknown)}")


def _save_fields(instance, fields: dict, allowed, noun: str):
    """Set the named fields (only those allowed), validate and save one row."""
    _refuse_unknown(fields, allowed, noun)
    for field, value in fields.items():
        setattr(instance, field, value)
    instance.full_clean()
    instance.save()
    return instance


def _username_for(email: str) -> str:
    base = email.lower()[:150]
    candidate, suffix = base, 1
    while User.objects.filter(username=candidate).exists():
        suffix += 1
        candidate = f"{base[:140]}-{suffix}"
    return candidate


def member_account_open(*, email: str, password: str | None = None):
    """A new account for a member record, named after its address (unusable password unless
    one is given: the member sets theirs through a password reset)."""
    email = User.objects.normalize_email(email).strip()
    user = User(username=_username_for(email), email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def consultant_create(
    *,
    email: str,
    display_name: str,
    status: str = Consultant.Status.APPLICANT,
    actor=None,
    reason: str = "",
    languages: Iterable[str] = (),
    password: str | None = None,
    **profile,
) -> Consultant:
    """Create a user account and its member record; the first status is written to history."""
    _refuse_unknown(profile, {*PROFILE_FIELDS, "joined_on", "probation_ends"}, "consultant")
    user = member_account_open(email=email, password=password)
    consultant = Consultant(user=user, display_name=display_name, status=status, **profile)
    consultant.full_clean()
    consultant.save()
    if languages:
        consultant.languages.set(_languages(languages))
    ConsultantStatusChange.objects.create(
        consultant=consultant, from_status="", to_status=status, changed_by=actor, reason=reason
    )
    return consultant


def _languages(codes: Iterable[str]) -> list[Language]:
    codes = [code.strip().lower() for code in codes if code.strip()]
    found = {language.code: language for language in Language.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationError(
            {"languages": _("Unknown language codes: %(codes)s.") % {"codes": ", ".join(missing)}}
        )
    return [found[code] for code in codes]


@transaction.atomic
def consultant_update(
    *, consultant: Consultant, languages: Iterable[str] | None = None, **profile
) -> Consultant:
    """Change a member's profile fields (not their status: see ``consultant_set_status``)."""
    _save_fields(consultant, profile, PROFILE_FIELDS, "consultant")
    if languages is not None:
        consultant.languages.set(_languages(languages))
    return consultant


@transaction.atomic
def consultant_set_status(
    *, consultant: Consultant, status: str, actor=None, reason: str = ""
) -> Consultant:
    """Move a member to a new status and record who did it, when and why."""
    if status not in Consultant.Status.values:
        raise ValidationError(
            {"status": _("%(status)r is not a member status.") % {"status": status}}
        )
    # Lock the row so two coordinators changing the status at once both leave a history row
    # whose from_status is what the other really left behind.
    locked = Consultant.objects.select_for_update().get(pk=consultant.pk)
    previous = locked.status
    if previous == status:
        return locked
    locked.status = status
    today = timezone.localdate()
    if status == Consultant.Status.PROBATION:
        # Entering probation (again, for a returning alumnus) starts a new probation period.
        locked.probation_ends = add_months(today, settings.PROBATION_MONTHS)
    if status == Consultant.Status.ACTIVE and locked.joined_on is None:
        locked.joined_on = today
    locked.save(update_fields=["status", "probation_ends", "joined_on", "updated_at"])
    ended_roles = [] if locked.can_be_offered_work else _roles_end(locked)
    ConsultantStatusChange.objects.create(
        consultant=locked,
        from_status=previous,
        to_status=status,
        changed_by=actor,
        reason=reason,
        ended_roles=ended_roles,
    )
    consultant.status, consultant.probation_ends = locked.status, locked.probation_ends
    consultant.joined_on = locked.joined_on
    return locked


def _roles_end(consultant: Consultant) -> list[dict]:
    """Take every role away from a member who stops working, and say which (for the history).

    The coordinator of a group receives its requests and the clients' details, and an alliance
    role opens the admin and the whole queue: a member on leave, an alumnus or a former member
    holds neither. Nothing comes back by itself when they return: a coordinator appoints again.
    """
    ended: list[dict] = []
    # Group rows in primary-key order, like every service that locks several rows.
    groups = ConsultantGroup.objects.select_for_update().filter(coordinator=consultant)
    for group in groups.order_by("pk"):
        group.coordinator = None
        group.save(update_fields=["coordinator"])
        ended.append({"role": "group_coordinator", "group": group.pk, "name": group.name})
    held = list(consultant.user.groups.filter(name__in=Role.values).order_by("name"))
    if held:
        consultant.user.groups.remove(*held)
        # The history keeps the role's English name, whatever language the page was in.
        with translation.override(None):
            ended.extend(
                {"role": group.name, "name": str(Role(group.name).label)} for group in held
            )
    # Cover they promised for time away that has not ended: the member away needs another.
    covers = TimeAway.objects.select_for_update().filter(
        covering=consultant, end__gte=timezone.localdate()
    )
    for away in covers.select_related("consultant").order_by("pk"):
        away.covering = None
        away.save(update_fields=["covering"])
        ended.append(
            {
                "role": "cover",
                "time_away": away.pk,
                "name": f"Cover for {away.consultant} ({away.start:%d %b} to {away.end:%d %b %Y})",
            }
        )
    return ended


def consultant_skill_set(
    *, consultant: Consultant, skill: Skill, level: int, years: int | None = None, note: str = ""
) -> ConsultantSkill:
    """Add a skill to a member's profile, or change its level, years and note."""
    entry = ConsultantSkill.objects.filter(consultant=consultant, skill=skill).first()
    if entry is None:
        entry = ConsultantSkill(consultant=consultant, skill=skill)
    entry.level, entry.years, entry.note = level, years, note
    entry.full_clean()
    entry.save()
    return entry


def consultant_skill_remove(*, consultant: Consultant, skill: Skill) -> None:
    ConsultantSkill.objects.filter(consultant=consultant, skill=skill).delete()


def time_away_save(
    *,
    consultant: Consultant,
    start: datetime.date,
    end: datetime.date,
    note: str = "",
    covering: Consultant | None = None,
    time_away: TimeAway | None = None,
) -> TimeAway:
    """Create (or, given ``time_away``, change) a period away with its covering member."""
    entry = time_away or TimeAway(consultant=consultant)
    entry.start, entry.end, entry.note, entry.covering = start, end, note, covering
    entry.full_clean()
    entry.save()
    return entry


# --- Skills ---------------------------------------------------------------------------------


def skill_create(
    *,
    name: str,
    category: str = Skill.Category.OTHER,
    description: str = "",
    aliases: Iterable[str] = (),
    source: str = "",
) -> Skill:
    skill = Skill(
        name=name.strip(),
        slug=slugify(name.replace("+", " plus ").replace("#", " sharp "))[:140] or fold(name),
        category=category,
        description=description,
        source=source,
    )
    with transaction.atomic():
        skill.full_clean()
        skill.save()
        for alias in aliases:
            skill_alias_add(skill=skill, alias=alias, source=source)
    return skill


def skill_alias_add(*, skill: Skill, alias: str, source: str = "") -> SkillAlias:
    entry = SkillAlias(skill=skill, alias=alias.strip(), source=source)
    entry.full_clean()
    entry.save()
    return entry


# --- Membership applications -----------------------------------------------------------------


# --- Taxonomy, groups and outside professionals (used by the API) ---------------------------


@transaction.atomic
def skill_update(*, skill: Skill, aliases: Iterable[str] | None = None, **fields) -> Skill:
    """Change a skill's name, category or description and, given ``aliases``, replace its aliases.

    The slug is kept even when the name changes: member profiles, filters and saved links use it.
    """
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    _save_fields(skill, fields, {"name", "category", "description"}, "skill")
    if aliases is not None:
        wanted = {fold(alias): alias for alias in aliases}
        skill.aliases.exclude(folded__in=list(wanted)).delete()
        kept = set(skill.aliases.values_list("folded", flat=True))
        for folded, alias in wanted.items():
            if folded not in kept:
                skill_alias_add(skill=skill, alias=alias)
    return skill


def skill_delete(*, skill: Skill) -> None:
    """Remove a skill; raises ``ProtectedError`` while any member profile still lists it."""
    skill.delete()


_GROUP_FIELDS = {"name", "slug", "description", "coordinator"}


@transaction.atomic
def group_create(
    *,
    name: str,
    slug: str = "",
    focus_skills: Iterable[Skill] = (),
    members: Iterable[Consultant] = (),
    **fields,
) -> ConsultantGroup:
    """Create a consultant group; the slug defaults to one made from the name."""
    _refuse_unknown(fields, _GROUP_FIELDS, "group")
    group = ConsultantGroup(name=name.strip(), slug=slug or slugify(name)[:140], **fields)
    group.full_clean()
    group.save()
    group.focus_skills.set(focus_skills)
    group.members.set(members)
    return group


@transaction.atomic
def group_update(
    *,
    group: ConsultantGroup,
    focus_skills: Iterable[Skill] | None = None,
    members: Iterable[Consultant] | None = None,
    **fields,
) -> ConsultantGroup:
    """Change a group's fields; ``focus_skills`` and ``members``, when given, replace the sets."""
    _save_fields(group, fields, _GROUP_FIELDS, "group")
    if focus_skills is not None:
        group.focus_skills.set(focus_skills)
    if members is not None:
        group.members.set(members)
    return group


def group_delete(*, group: ConsultantGroup) -> None:
    group.delete()


_PROFESSIONAL_FIELDS = {"name", "organization", "email", "phone", "website", "notes", "active"}


@transaction.atomic
def external_professional_create(*, skills: Iterable[Skill] = (), **fields) -> ExternalProfessional:
    _refuse_unknown(fields, _PROFESSIONAL_FIELDS, "professional")
    professional = ExternalProfessional(**fields)
    professional.full_clean()
    professional.save()
    professional.skills.set(skills)
    return professional


@transaction.atomic
def external_professional_update(
    *, professional: ExternalProfessional, skills: Iterable[Skill] | None = None, **fields
) -> ExternalProfessional:
    """Change an outside professional; ``skills``, when given, replaces their skills."""
    _save_fields(professional, fields, _PROFESSIONAL_FIELDS, "professional")
    if skills is not None:
        professional.skills.set(skills)
    return professional


def external_professional_delete(*, professional: ExternalProfessional) -> None:
    """Remove an outside professional; raises ``ProtectedError`` if referrals point at them."""
    professional.delete()


# --- Added for the admin and the demo seeder --------------------------------------------------


@transaction.atomic
def consultant_record_first_status(
    *, consultant: Consultant, actor=None, reason: str = ""
) -> ConsultantStatusChange:
    """Open the history of a member record saved without ``consultant_create`` (the admin's add
    form), so that every member's history starts with the status they were created in."""
    return ConsultantStatusChange.objects.create(
        consultant=consultant,
        from_status="",
        to_status=consultant.status,
        changed_by=actor,
        reason=reason,
    )


def time_away_delete(*, time_away: TimeAway) -> None:
    """Remove a period away (a member cancelling their plans); the caller checked ownership."""
    time_away.delete()


# --- The out-of-hours rota (network.rota does the arithmetic) --------------------------------

# A member active for fewer days than this is a newcomer and holds no holiday week.
ROTA_NEWCOMER_DAYS_DEFAULT = 90


def rota_holidays():
    """The holidays that make a week hard: ``settings.ROTA_HOLIDAYS`` (dates or ISO strings), or
    None for the US federal holidays of each year."""
    configured = getattr(settings, "ROTA_HOLIDAYS", None)
    if configured is None:
        return None
    return [
        day if isinstance(day, datetime.date) else datetime.date.fromisoformat(day)
        for day in configured
    ]


def rota_candidates(on: datetime.date | None = None):
    """The members the rota may give a week: opted in and working (active, or on probation), as
    ``network.rota.Member`` records without their duty or time away filled in."""
    from django.db.models import Max, Q

    from network import rota

    newcomer_days = getattr(settings, "ROTA_NEWCOMER_DAYS", ROTA_NEWCOMER_DAYS_DEFAULT)
    members = (
        Consultant.objects.filter(on_call_opt_in=True, status__in=Consultant.WORKING_STATUSES)
        .annotate(
            active_since=Max(
                "status_changes__changed_at",
                filter=Q(status_changes__to_status=Consultant.Status.ACTIVE),
            )
        )
        .order_by("pk")
    )
    found = []
    for member in members:
        if member.status == Consultant.Status.PROBATION:
            settled_on = datetime.date.max
        else:
            since = member.active_since.date() if member.active_since else member.joined_on
            settled_on = since + datetime.timedelta(days=newcomer_days) if since else None
        found.append(rota.Member(id=member.pk, settled_on=settled_on))
    return found


def _rota_fill_away(members, first: datetime.date, last: datetime.date) -> None:
    by_id = {member.id: member for member in members}
    away: dict[int, list] = {member_id: [] for member_id in by_id}
    for consultant_id, start, end in TimeAway.objects.filter(
        consultant_id__in=by_id, start__lte=last, end__gte=first
    ).values_list("consultant_id", "start", "end"):
        away[consultant_id].append((start, end))
    for member_id, periods in away.items():
        by_id[member_id].away = periods


@transaction.atomic
def rota_generate(*, weeks: int, start: datetime.date | None = None, today=None):
    """Plan ``weeks`` on-call weeks from the Monday of ``start`` (default: the coming Monday).

    Weeks already started keep their holder; every later week from ``start`` on is planned
    afresh (its pending swaps go with it). Answers the ``network.rota.Plan``.
    """
    from network import rota
    from network.models import RotaWeek

    today = today or timezone.localdate()
    first = rota.monday_of(start) if start else rota.monday_of(today) + rota.WEEK
    mondays = [first + rota.WEEK * index for index in range(weeks)]
    # One generation at a time: the rows are replaced under a lock on the existing plan.
    list(RotaWeek.objects.select_for_update().filter(start__gte=first).values_list("pk"))
    RotaWeek.objects.filter(start__gte=first, start__gt=today).delete()
    kept = dict(RotaWeek.objects.filter(start__in=mondays).values_list("start", "consultant_id"))
    members = rota_candidates()
    if mondays:
        _rota_fill_away(members, mondays[0], mondays[-1] + datetime.timedelta(days=6))
    history = {member.id: member for member in members}
    before = RotaWeek.objects.filter(start__lt=first, consultant_id__in=history)
    for consultant_id, week in before.values_list("consultant_id", "start"):
        member = history[consultant_id]
        member.total += 1
        member.last_duty = max(member.last_duty or week, week)
    previous = RotaWeek.objects.filter(start=first - rota.WEEK).values_list(
        "consultant_id", flat=True
    )
    hard = rota.hard_weeks(mondays, rota_holidays())
    plan = rota.assign(
        mondays, members, hard=hard, kept=kept, previous_holder=next(iter(previous), None)
    )
    RotaWeek.objects.bulk_create(
        [
            RotaWeek(start=week, consultant_id=holder, hard=week in hard)
            for week, holder in plan.holders.items()
        ]
    )
    return plan


def rota_opt_in(*, consultant: Consultant, on_call: bool) -> Consultant:
    """A working member joins (or leaves) the out-of-hours rota; weeks already held stay."""
    from django.core.exceptions import PermissionDenied

    if not consultant.can_be_offered_work:
        raise PermissionDenied(_("Only working members take out-of-hours duty."))
    Consultant.objects.filter(pk=consultant.pk).update(on_call_opt_in=on_call)
    consultant.on_call_opt_in = on_call
    return consultant


def _rota_refusal_for(member: Consultant, week, today: datetime.date) -> str | None:
    """Why ``member`` may not hold ``week``, in words, or None."""
    if not member.on_call_opt_in or not member.can_be_offered_work:
        return _("%(name)s does not take out-of-hours duty.") % {"name": member}
    if TimeAway.objects.filter(
        consultant=member, start__lte=week.end, end__gte=week.start
    ).exists():
        return _("%(name)s is away during the week of %(date)s.") % {
            "name": member,
            "date": week.start.isoformat(),
        }
    if week.hard:
        candidate = next((m for m in rota_candidates() if m.id == member.pk), None)
        if candidate is not None and candidate.is_newcomer(week.start):
            return _("%(name)s is new to the rota and holds no holiday week.") % {"name": member}
    return None


@transaction.atomic
def rota_swap_propose(*, actor: Consultant, week_id: int, other_week_id: int, today=None):
    """The member on duty in ``week_id`` offers it for ``other_week_id``'s holder's week."""
    from django.core.exceptions import PermissionDenied

    from network.errors import Conflict
    from network.models import RotaSwap, RotaWeek

    today = today or timezone.localdate()
    if not actor.can_be_offered_work:
        raise PermissionDenied(_("Only working members take out-of-hours duty."))
    weeks = {
        week.pk: week
        for week in RotaWeek.objects.select_for_update()
        .select_related("consultant")
        .filter(pk__in=[week_id, other_week_id])
    }
    week, other = weeks.get(week_id), weeks.get(other_week_id)
    if week is None or other is None:
        raise ValidationError(_("No such on-call week."))
    if week.consultant_id != actor.pk:
        raise PermissionDenied(_("You may only offer a week you hold."))
    if other.consultant_id == actor.pk:
        raise ValidationError(_("Choose a week another member holds."))
    if week.start <= today or other.start <= today:
        raise Conflict(_("A week that has started cannot be swapped."))
    for member, target in ((actor, other), (other.consultant, week)):
        refusal = _rota_refusal_for(member, target, today)
        if refusal:
            raise ValidationError(refusal)
    return RotaSwap.objects.create(
        week=week, other_week=other, proposer=actor, partner=other.consultant
    )


@transaction.atomic
def rota_swap_answer(*, actor: Consultant, swap_id: int, accept: bool, today=None):
    """The member asked accepts or declines; the proposer may withdraw (``accept=False``).
    A swap already answered, or whose weeks changed hands meanwhile, is a ``Conflict``."""
    from django.core.exceptions import PermissionDenied

    from network.errors import Conflict
    from network.models import RotaSwap, RotaWeek

    today = today or timezone.localdate()
    swap = RotaSwap.objects.select_for_update().filter(pk=swap_id).first()
    if swap is None:
        from django.http import Http404

        raise Http404(_("No such swap."))
    if actor.pk not in (swap.proposer_id, swap.partner_id):
        raise PermissionDenied(_("Only the two members of a swap may answer it."))
    if not actor.can_be_offered_work:
        raise PermissionDenied(_("Only working members take out-of-hours duty."))
    if swap.status != RotaSwap.Status.PROPOSED:
        raise Conflict(
            _("This swap was already answered (%(status)s).")
            % {"status": swap.get_status_display().lower()},
            status=swap.status,
        )
    if accept and actor.pk != swap.partner_id:
        raise PermissionDenied(_("Only the member asked may accept a swap."))
    weeks = {
        week.pk: week
        for week in RotaWeek.objects.select_for_update()
        .select_related("consultant")
        .filter(pk__in=[swap.week_id, swap.other_week_id])
    }
    week, other = weeks[swap.week_id], weeks[swap.other_week_id]
    if week.consultant_id != swap.proposer_id or other.consultant_id != swap.partner_id:
        raise Conflict(_("These weeks changed hands since the swap was offered."))
    if accept:
        if week.start <= today or other.start <= today:
            raise Conflict(_("A week that has started cannot be swapped."))
        for member, target in ((week.consultant, other), (other.consultant, week)):
            refusal = _rota_refusal_for(member, target, today)
            if refusal:
                raise ValidationError(refusal)
        RotaWeek.objects.filter(pk=week.pk).update(consultant_id=swap.partner_id)
        RotaWeek.objects.filter(pk=other.pk).update(consultant_id=swap.proposer_id)
        swap.status = RotaSwap.Status.ACCEPTED
    elif actor.pk == swap.partner_id:
        swap.status = RotaSwap.Status.DECLINED
    else:
        swap.status = RotaSwap.Status.WITHDRAWN
    swap.answered_at = timezone.now()
    swap.save(update_fields=["status", "answered_at"])
    return swap


# --- Free service days ----------------------------------------------------------------------


@transaction.atomic
def pledge_set(*, consultant: Consultant, year: int, days) -> tuple[FreeServicePledge, bool]:
    """A working member pledges ``days`` of free service for ``year`` (replacing an earlier
    pledge for that year); returns the pledge and whether it is new.

    Whole or half days, 0 to 365 (``ValidationError`` otherwise, nothing changed); members who
    are not working (on leave, alumni...) pledge nothing (``PermissionDenied``)."""
    from django.core.exceptions import PermissionDenied

    if not consultant.can_be_offered_work:
        raise PermissionDenied(_("Only working members pledge free service days."))
    # The member's row is the lock: two pledges for one year at once queue up.
    Consultant.objects.select_for_update().filter(pk=consultant.pk).first()
    pledge = FreeServicePledge.objects.filter(consultant=consultant, year=year).first()
    created = pledge is None
    if created:
        pledge = FreeServicePledge(consultant=consultant, year=year)
    try:
        pledge.days = Decimal(str(days))
    except (InvalidOperation, ValueError, TypeError):
        pledge.days = None
    if isinstance(days, bool) or pledge.days is None or not pledge.days.is_finite():
        raise ValidationError({"days": _("Enter a number of days.")})
    pledge.full_clean()
    pledge.save()
    return pledge, created
