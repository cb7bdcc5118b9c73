"""Seeding the demo alliance (``network.demo_alliance``): every row is keyed (accounts on
email, groups on slug, professionals on name), so seeding twice changes nothing."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from network import applications, services
from network.demo import DEMO_DOMAIN, DEMO_PASSWORD, demo_skills_ensure
from network.demo_alliance import (
    APPLICATIONS,
    FOUNDED,
    GROUPS,
    MEMBERS,
    PROBATIONER,
    PROFESSIONALS,
    STAFF,
    DemoMember,
    StaffAccount,
)
from network.models import (
    Consultant,
    ConsultantGroup,
    ConsultantStatusChange,
    ExternalProfessional,
    MembershipApplication,
    Skill,
    TimeAway,
    User,
)

Status = Consultant.Status


@dataclass
class DemoSummary:
    created: Counter = field(default_factory=Counter)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _noon(year: int, month: int = 1, day: int = 15) -> datetime.datetime:
    return datetime.datetime(year, month, day, 12, tzinfo=timezone.get_current_timezone())


def _staff_ensure(account: StaffAccount, password_hash: str, summary: DemoSummary) -> User:
    user = User.objects.filter(username=account.username).first()
    if user is None:
        user = User(
            username=account.username,
            email=f"{account.username}@{DEMO_DOMAIN}",
            first_name=account.role_label.capitalize(),
            last_name="(demo)",
            # Coordinators work the membership and referral queues in the admin.
            is_staff=True,
            is_superuser=account.superuser,
            password=password_hash,
        )
        user.full_clean()
        user.save()
        summary.created["staff accounts"] += 1
    if account.role is not None:
        services.user_grant_role(user=user, role=account.role)
    return user


def _member_ensure(
    spec: DemoMember,
    skills: dict[str, Skill],
    password_hash: str,
    coordinator: User,
    summary: DemoSummary,
) -> Consultant:
    existing = (
        Consultant.objects.select_related("user").filter(user__email__iexact=spec.email).first()
    )
    if existing is not None:
        return existing
    founder = spec.admitted == FOUNDED
    first_status = Status.ACTIVE if founder else Status.PROBATION
    joined = datetime.date(spec.admitted, 3 if founder else 12, 1)
    consultant = services.consultant_create(
        email=spec.email,
        display_name=spec.display_name,
        status=first_status,
        actor=coordinator,
        reason="Founding member." if founder else "Admitted on probation.",
        languages=spec.languages,
        location=spec.location,
        hourly_rate=Decimal(spec.rate),
        sliding_scale=spec.sliding_scale,
        pro_bono_hours_per_month=spec.pro_bono,
        capacity_hours_per_week=spec.capacity,
        remote_ok=spec.remote_ok,
        bio=spec.bio,
        joined_on=joined,
        probation_ends=None if founder else joined,
    )
    # One hash for every demo account: hashing twenty-five times would only slow the seed.
    consultant.user.username = spec.username
    consultant.user.password = password_hash
    consultant.user.save(update_fields=["username", "password"])
    story = [_noon(spec.admitted, 3)]
    if not founder:
        services.consultant_set_status(
            consultant=consultant,
            status=Status.ACTIVE,
            actor=coordinator,
            reason="Probation completed; confirmed by consensus at the members' meeting.",
        )
        story.append(_noon(spec.admitted, 12, 1))
    if spec.status == Status.ALUMNI:
        services.consultant_set_status(
            consultant=consultant,
            status=Status.ALUMNI,
            actor=coordinator,
            reason="Stepped back from client work; stays on as an alumnus.",
        )
        story.append(_noon(spec.left, 6, 30))
    # The services stamp history with the present; the demo tells a story that began in 2002,
    # so its rows are dated to it (oldest first, in the order they were written).
    history = consultant.status_changes.order_by("pk")
    for change, when in zip(history, story, strict=True):
        ConsultantStatusChange.objects.filter(pk=change.pk).update(changed_at=when)
    for name, (level, years) in spec.skills.items():
        services.consultant_skill_set(
            consultant=consultant, skill=skills[name], level=level, years=years
        )
    summary.created["members"] += 1
    return consultant


def _applications_ensure(
    skills: dict[str, Skill], password_hash: str, coordinator: User, summary: DemoSummary
) -> Consultant:
    """Open applications for the community coordinator, and the probationer who came in by one."""
    spec = PROBATIONER
    admitted = MembershipApplication.objects.filter(email__iexact=spec.email).first()
    if admitted is None:
        admitted = applications.application_submit(
            name=spec.display_name,
            email=spec.email,
            location=spec.location,
            statement="Six years building accessible Drupal and WordPress sites for "
            "community health clinics; wants colleagues to cover during holidays.",
            skills_text=", ".join(spec.skills),
        )
        applications.application_start_review(application=admitted, actor=coordinator)
        admitted = applications.application_admit(
            application=admitted, actor=coordinator, notes="Two references checked."
        )
        consultant = admitted.consultant
        services.consultant_update(
            consultant=consultant,
            languages=spec.languages,
            hourly_rate=Decimal(spec.rate),
            sliding_scale=spec.sliding_scale,
            pro_bono_hours_per_month=spec.pro_bono,
            capacity_hours_per_week=spec.capacity,
        )
        consultant.user.username = spec.username
        consultant.user.password = password_hash
        consultant.user.save(update_fields=["username", "password"])
        for name, (level, years) in spec.skills.items():
            services.consultant_skill_set(
                consultant=consultant, skill=skills[name], level=level, years=years
            )
        summary.created["members"] += 1
        summary.created["applications"] += 1
    for application_spec in APPLICATIONS:
        if MembershipApplication.objects.filter(email__iexact=application_spec.email).exists():
            continue
        application = applications.application_submit(
            name=application_spec.name,
            email=application_spec.email,
            location=application_spec.location,
            statement="Independent consultant serving neighbourhood nonprofits; looking for "
            "colleagues to refer work to and to cover for.",
            skills_text=application_spec.skills_text,
        )
        if application_spec.status == MembershipApplication.Status.UNDER_REVIEW:
            applications.application_start_review(application=application, actor=coordinator)
        summary.created["applications"] += 1
    return admitted.consultant


@transaction.atomic
def demo_alliance_seed() -> DemoSummary:
    """Create the demo alliance where it is missing; existing rows are left as they are."""
    summary = DemoSummary()
    services.roles_ensure()
    services.languages_ensure()
    skills = demo_skills_ensure()
    password_hash = make_password(DEMO_PASSWORD)

    staff = {account.username: _staff_ensure(account, password_hash, summary) for account in STAFF}
    community = staff["community"]
    members = {
        spec.number: _member_ensure(spec, skills, password_hash, community, summary)
        for spec in MEMBERS
    }
    members[PROBATIONER.number] = _applications_ensure(skills, password_hash, community, summary)

    for spec in GROUPS:
        if ConsultantGroup.objects.filter(slug=spec.slug).exists():
            continue
        services.group_create(
            name=spec.name,
            slug=spec.slug,
            description=spec.description,
            coordinator=members[spec.coordinator],
            members=[members[number] for number in spec.members],
            focus_skills=[skills[name] for name in spec.focus],
        )
        summary.created["groups"] += 1

    # Member 02 goes away for three weeks from three weeks on; member 01, in the same group,
    # covers their clients meanwhile.
    away, covering = members[2], members[1]
    if not TimeAway.objects.filter(consultant=away, covering=covering).exists():
        start = timezone.localdate() + datetime.timedelta(days=21)
        services.time_away_save(
            consultant=away,
            start=start,
            end=start + datetime.timedelta(days=20),
            note="Family visit abroad; urgent donor-database work goes to member 01.",
            covering=covering,
        )
        summary.created["time away"] += 1

    for spec in PROFESSIONALS:
        if ExternalProfessional.objects.filter(name=spec.name).exists():
            continue
        services.external_professional_create(
            name=spec.name,
            organization=spec.organization,
            email=spec.email,
            notes=spec.notes,
            skills=[skills[name] for name in spec.skills],
        )
        summary.created["outside professionals"] += 1

    summary.logins = _logins(staff, members)
    demo_members = Consultant.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}")
    summary.counts = {
        "active members": demo_members.filter(status=Status.ACTIVE).count(),
        "on probation": demo_members.filter(status=Status.PROBATION).count(),
        "alumni": demo_members.filter(status=Status.ALUMNI).count(),
        "groups": ConsultantGroup.objects.filter(slug__in=[g.slug for g in GROUPS]).count(),
        "outside professionals": ExternalProfessional.objects.filter(
            name__in=[p.name for p in PROFESSIONALS]
        ).count(),
    }
    return summary


def _logins(staff: dict[str, User], members: dict[int, Consultant]) -> list[tuple[str, str, str]]:
    coordinates = {spec.coordinator: spec.name for spec in GROUPS}
    rows = [
        (staff[account.username].username, DEMO_PASSWORD, account.role_label) for account in STAFF
    ]
    alumni = []
    for number in sorted(members):
        consultant = members[number]
        if consultant.status == Status.ALUMNI:
            alumni.append(consultant.user.username)
            continue
        role = "member on probation" if consultant.status == Status.PROBATION else "active member"
        if number in coordinates:
            role += f", coordinator of {coordinates[number]}"
        rows.append((consultant.user.username, DEMO_PASSWORD, role))
    if alumni:
        rows.append((f"{alumni[0]}…{alumni[-1]}", DEMO_PASSWORD, f"alumni ({len(alumni)})"))
    return rows
