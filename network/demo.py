"""Demo data: a believable alliance to click through, and synthetic members for load tests.

The demo alliance follows the story in docs/design.md ("The alliance"): six active members
(plus one on probation), fourteen alumni, consultant groups with coordinators, the staff roles,
and the outside professionals the intake coordinator refers clients to. Nobody here is a real or
invented person: members are named by number and speciality ("Member 01 · CRM and data").

Everything is keyed (accounts on email, groups on slug, professionals on name), so seeding twice
changes nothing. The synthetic members (``synthetic_consultants_add``) are the opposite: every
call adds new ones, fast, with ``bulk_create``.
"""

import datetime
import sqlite3
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from network import services
from network.models import (
    Consultant,
    ConsultantGroup,
    ConsultantSkill,
    ConsultantStatusChange,
    ExternalProfessional,
    Language,
    MembershipApplication,
    Skill,
    TimeAway,
    User,
)
from network.roles import Role
from network.text import fold, name_key

DEMO_PASSWORD = "switchboard-demo"  # noqa: S105 -- published on purpose: demo accounts only
DEMO_DOMAIN = "demo.switchboard.test"
SYNTHETIC_DOMAIN = "synthetic.switchboard.test"

Category = Skill.Category
Status = Consultant.Status

# The skills the demo uses, in rough order of how often nonprofit clients ask for them (the
# synthetic members draw skills with this popularity), with the category used if the taxonomy
# loader did not provide one.
DEMO_SKILLS: dict[str, str] = {
    "Google Workspace": Category.PRODUCTIVITY,
    "Microsoft 365": Category.PRODUCTIVITY,
    "WordPress": Category.WEB,
    "Salesforce Nonprofit Success Pack": Category.CRM,
    "Help desk support": Category.PRACTICE,
    "Mailchimp": Category.SOFTWARE,
    "Staff training": Category.PRACTICE,
    "Donor database management": Category.CRM,
    "Data migration": Category.DATA,
    "Backups and disaster recovery": Category.SECURITY,
    "Network administration": Category.INFRASTRUCTURE,
    "Website design": Category.WEB,
    "Salesforce": Category.CRM,
    "QuickBooks": Category.SOFTWARE,
    "Zoom": Category.PRODUCTIVITY,
    "Information security": Category.SECURITY,
    "Wi-Fi networks": Category.INFRASTRUCTURE,
    "SharePoint": Category.PRODUCTIVITY,
    "IT strategy and planning": Category.PRACTICE,
    "Slack": Category.PRODUCTIVITY,
    "Grant reporting": Category.DATA,
    "Bloomerang": Category.CRM,
    "Airtable": Category.DATA,
    "Web accessibility": Category.ACCESSIBILITY,
    "CiviCRM": Category.CRM,
    "Squarespace": Category.WEB,
    "Blackbaud Raiser's Edge": Category.CRM,
    "Firewalls": Category.SECURITY,
    "Drupal": Category.WEB,
    "DonorPerfect": Category.CRM,
    "Little Green Light": Category.CRM,
    "Neon CRM": Category.CRM,
    "Tableau": Category.DATA,
    "Power BI": Category.DATA,
    "JavaScript": Category.PROGRAMMING,
    "PHP": Category.PROGRAMMING,
    "Python": Category.PROGRAMMING,
    "MySQL": Category.DATA,
    "PostgreSQL": Category.DATA,
}


# --- The demo alliance ------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffAccount:
    username: str
    role_label: str
    role: Role | None = None
    superuser: bool = False


STAFF = [
    StaffAccount("admin", "administrator (superuser)", superuser=True),
    StaffAccount("intake", "intake coordinator", Role.INTAKE_COORDINATOR),
    StaffAccount("community", "community coordinator", Role.COMMUNITY_COORDINATOR),
    StaffAccount("secretary", "secretary", Role.SECRETARY),
]


@dataclass(frozen=True)
class DemoMember:
    number: int
    speciality: str
    status: str
    location: str
    languages: tuple[str, ...]
    rate: int
    skills: dict[str, tuple[int, int]]  # skill name → (level, years)
    admitted: int  # year admitted; founders (2002) skip probation
    left: int | None = None  # year they became alumni
    capacity: int = 20
    sliding_scale: bool = False
    pro_bono: int = 0
    remote_ok: bool = True
    bio: str = ""

    @property
    def username(self) -> str:
        return f"member{self.number:02d}"

    @property
    def email(self) -> str:
        return f"{self.username}@{DEMO_DOMAIN}"

    @property
    def display_name(self) -> str:
        title = "Alumnus" if self.status == Status.ALUMNI else "Member"
        return f"{title} {self.number:02d} · {self.speciality}"


ACTIVE = Status.ACTIVE
ALUMNI = Status.ALUMNI
FOUNDED = 2002

MEMBERS = [
    DemoMember(
        1, "CRM and data", ACTIVE, "Oakland, CA", ("en", "es"), 110,
        {
            "Salesforce Nonprofit Success Pack": (5, 14), "Salesforce": (4, 16),
            "Data migration": (4, 18), "Donor database management": (4, 20),
            "Grant reporting": (3, 12), "Tableau": (3, 6), "Power BI": (2, 3),
            "Mailchimp": (3, 10),
        },
        admitted=FOUNDED, capacity=25, sliding_scale=True, pro_bono=4,
        bio="Founding member. Moves food banks and clinics off spreadsheets and onto a CRM "
        "their staff can run, then teaches them to report to funders from it.",
    ),
    DemoMember(
        2, "fundraising databases", ACTIVE, "San Francisco, CA", ("en", "zh"), 95,
        {
            "Blackbaud Raiser's Edge": (5, 15), "Bloomerang": (4, 7), "DonorPerfect": (4, 10),
            "CiviCRM": (4, 9), "Little Green Light": (3, 5), "Neon CRM": (3, 4),
            "Data migration": (4, 12), "Mailchimp": (4, 9), "Staff training": (3, 10),
        },
        admitted=2006, sliding_scale=True, pro_bono=6,
        bio="Donor databases for small development shops: choosing one, cleaning the data, "
        "migrating it and training the volunteers who keep it.",
    ),
    DemoMember(
        3, "websites and accessibility", ACTIVE, "Berkeley, CA", ("en", "es"), 125,
        {
            "WordPress": (5, 17), "Drupal": (4, 12), "Web accessibility": (5, 11),
            "Website design": (4, 15), "PHP": (4, 17), "JavaScript": (3, 12),
            "Squarespace": (3, 5), "MySQL": (3, 14),
        },
        admitted=FOUNDED,
        bio="Founding member. Accessible websites for arts groups and advocacy organisations; "
        "audits to WCAG 2.2 AA and fixes what the audit finds.",
    ),
    DemoMember(
        4, "networks and security", ACTIVE, "San José, CA", ("en", "vi"), 140,
        {
            "Network administration": (5, 19), "Firewalls": (5, 15), "Wi-Fi networks": (4, 12),
            "Information security": (4, 10), "Backups and disaster recovery": (4, 14),
            "Help desk support": (3, 19), "Microsoft 365": (3, 8),
        },
        admitted=2009, capacity=30, remote_ok=False,
        bio="Office networks, firewalls and backups for multi-site service agencies; on-site "
        "across the South Bay.",
    ),
    DemoMember(
        5, "office and collaboration", ACTIVE, "Oakland, CA", ("en", "tl"), 85,
        {
            "Google Workspace": (5, 12), "Microsoft 365": (4, 10), "SharePoint": (4, 8),
            "Zoom": (4, 6), "Slack": (4, 7), "Staff training": (5, 13),
            "Help desk support": (4, 13), "IT strategy and planning": (3, 6),
        },
        admitted=2012, capacity=15, sliding_scale=True, pro_bono=8,
        bio="Gets small teams onto shared drives, calendars and video calls that work, and "
        "writes the one-page guides people actually read.",
    ),
    DemoMember(
        6, "data and integrations", ACTIVE, "San Francisco, CA", ("en", "es"), 150,
        {
            "Python": (5, 11), "PostgreSQL": (4, 9), "Airtable": (4, 5),
            "Data migration": (4, 9), "Tableau": (4, 6), "Power BI": (3, 4),
            "Salesforce": (3, 5), "JavaScript": (3, 8),
        },
        admitted=2015, pro_bono=2,
        bio="Connects the systems a nonprofit already has: CRM to email list, forms to "
        "databases, dashboards for the board.",
    ),
    # Alumni: they retired, moved away or took staff jobs, and stay listed as alumni.
    DemoMember(
        8, "networks", ALUMNI, "Sacramento, CA", ("en",), 90,
        {"Network administration": (4, 12), "Wi-Fi networks": (4, 8), "Firewalls": (3, 8)},
        admitted=FOUNDED, left=2011,
    ),
    DemoMember(
        9, "fundraising databases", ALUMNI, "Oakland, CA", ("en", "es"), 80,
        {"Blackbaud Raiser's Edge": (4, 9), "DonorPerfect": (3, 6), "Grant reporting": (3, 7)},
        admitted=FOUNDED, left=2009, sliding_scale=True,
    ),
    DemoMember(
        10, "web development", ALUMNI, "Portland, OR", ("en",), 100,
        {"Drupal": (5, 9), "PHP": (5, 11), "MySQL": (4, 10), "JavaScript": (3, 6)},
        admitted=2003, left=2014,
    ),
    DemoMember(
        11, "help desk", ALUMNI, "San Francisco, CA", ("en", "zh"), 75,
        {"Help desk support": (4, 10), "Microsoft 365": (3, 5), "Staff training": (3, 6)},
        admitted=2004, left=2010, sliding_scale=True,
    ),
    DemoMember(
        12, "office and collaboration", ALUMNI, "Richmond, CA", ("en", "es"), 80,
        {"Google Workspace": (4, 6), "Zoom": (3, 3), "Staff training": (4, 9)},
        admitted=2005, left=2018, sliding_scale=True,
    ),
    DemoMember(
        13, "websites", ALUMNI, "Santa Cruz, CA", ("en",), 95,
        {"WordPress": (4, 10), "Website design": (4, 12), "Squarespace": (3, 4)},
        admitted=2006, left=2016,
    ),
    DemoMember(
        14, "security and backups", ALUMNI, "San Mateo, CA", ("en", "vi"), 120,
        {"Information security": (4, 12), "Backups and disaster recovery": (4, 10)},
        admitted=2007, left=2019,
    ),
    DemoMember(
        15, "CRM", ALUMNI, "Berkeley, CA", ("en",), 105,
        {"CiviCRM": (5, 10), "Drupal": (3, 6), "Data migration": (3, 7)},
        admitted=2008, left=2017,
    ),
    DemoMember(
        16, "IT planning", ALUMNI, "Walnut Creek, CA", ("en",), 130,
        {"IT strategy and planning": (5, 20), "Staff training": (4, 15)},
        admitted=2008, left=2021,
    ),
    DemoMember(
        17, "data and reporting", ALUMNI, "Seattle, WA", ("en",), 115,
        {"Tableau": (4, 7), "Grant reporting": (4, 9), "MySQL": (3, 6)},
        admitted=2010, left=2020,
    ),
    DemoMember(
        18, "Salesforce", ALUMNI, "Fremont, CA", ("en", "tl"), 120,
        {"Salesforce Nonprofit Success Pack": (4, 6), "Salesforce": (4, 7)},
        admitted=2011, left=2019,
    ),
    DemoMember(
        19, "accounting systems", ALUMNI, "Hayward, CA", ("en", "es"), 85,
        {"QuickBooks": (5, 14), "Grant reporting": (3, 5)},
        admitted=2012, left=2022, sliding_scale=True,
    ),
    DemoMember(
        20, "web accessibility", ALUMNI, "San Francisco, CA", ("en",), 110,
        {"Web accessibility": (4, 6), "WordPress": (3, 5), "JavaScript": (3, 4)},
        admitted=2014, left=2023,
    ),
    DemoMember(
        21, "email and outreach", ALUMNI, "Oakland, CA", ("en", "es"), 80,
        {"Mailchimp": (4, 6), "Bloomerang": (3, 3), "Squarespace": (3, 3)},
        admitted=2016, left=2022, sliding_scale=True,
    ),
]  # fmt: skip

# The seventh member comes in through the membership process and is on probation.
PROBATIONER = DemoMember(
    7, "Drupal and accessibility", Status.PROBATION, "Berkeley, CA", ("en", "es"), 95,
    {"Drupal": (4, 6), "Web accessibility": (4, 4), "PHP": (3, 6), "WordPress": (3, 3)},
    admitted=0, sliding_scale=True, pro_bono=4,
)  # fmt: skip


@dataclass(frozen=True)
class DemoApplication:
    number: int
    speciality: str
    status: str
    skills_text: str
    location: str

    @property
    def email(self) -> str:
        return f"applicant{self.number:02d}@{DEMO_DOMAIN}"

    @property
    def name(self) -> str:
        return f"Applicant {self.number:02d} · {self.speciality}"


APPLICATIONS = [
    DemoApplication(
        1, "Salesforce and reporting", MembershipApplication.Status.SUBMITTED,
        "Salesforce, NPSP, Tableau, grant reports", "Daly City, CA",
    ),
    DemoApplication(
        2, "Wi-Fi and help desk", MembershipApplication.Status.UNDER_REVIEW,
        "Wi-Fi, Meraki, help desk, Microsoft 365", "San José, CA",
    ),
]  # fmt: skip


@dataclass(frozen=True)
class DemoGroup:
    slug: str
    name: str
    coordinator: int  # member number
    members: tuple[int, ...]
    focus: tuple[str, ...]
    description: str


GROUPS = [
    DemoGroup(
        "crm-and-fundraising-data", "CRM and fundraising data", 1, (1, 2, 6),
        ("Salesforce Nonprofit Success Pack", "Salesforce", "CiviCRM", "Bloomerang",
         "Blackbaud Raiser's Edge", "Neon CRM", "Little Green Light", "DonorPerfect",
         "Donor database management", "Data migration", "Grant reporting", "Mailchimp"),
        "Donor and client databases: choosing, migrating, cleaning, reporting.",
    ),
    DemoGroup(
        "websites-and-accessibility", "Websites and accessibility", 3, (3, 6, 7),
        ("WordPress", "Drupal", "Squarespace", "Website design", "Web accessibility", "PHP",
         "JavaScript"),
        "Websites that everyone can use, built on tools the organisation can keep up.",
    ),
    DemoGroup(
        "networks-security-and-support", "Networks, security and support", 4, (4, 5),
        ("Network administration", "Wi-Fi networks", "Firewalls", "Information security",
         "Backups and disaster recovery", "Help desk support"),
        "Office networks, security, backups and the help desk behind them.",
    ),
    DemoGroup(
        "office-and-collaboration", "Office and collaboration", 5, (5, 2, 4),
        ("Google Workspace", "Microsoft 365", "SharePoint", "Zoom", "Slack", "Staff training",
         "IT strategy and planning"),
        "Shared documents, email, calendars, video calls, and training staff to use them.",
    ),
]  # fmt: skip


@dataclass(frozen=True)
class DemoProfessional:
    number: int
    speciality: str
    organization: str
    skills: tuple[str, ...]
    notes: str

    @property
    def name(self) -> str:
        return f"Outside professional {self.number:02d} · {self.speciality}"

    @property
    def email(self) -> str:
        return f"pro{self.number:02d}@{DEMO_DOMAIN}"


PROFESSIONALS = [
    DemoProfessional(
        1, "accessibility audits", "Accessibility audit practice (demo)",
        ("Web accessibility", "Website design"),
        "Formal WCAG audits and VPATs when a funder or a lawsuit asks for one.",
    ),
    DemoProfessional(
        2, "Raiser's Edge migrations", "Fundraising systems consultancy (demo)",
        ("Blackbaud Raiser's Edge", "Data migration", "Donor database management"),
        "Large donor-database migrations, beyond a member's capacity.",
    ),
    DemoProfessional(
        3, "managed IT and help desk", "Managed IT services firm (demo)",
        ("Help desk support", "Network administration", "Microsoft 365",
         "Backups and disaster recovery"),
        "Round-the-clock help desk contracts for agencies that need one.",
    ),
    DemoProfessional(
        4, "security assessments", "Security assessment practice (demo)",
        ("Information security", "Firewalls"),
        "Penetration tests and assessments required by insurers or HIPAA.",
    ),
    DemoProfessional(
        5, "nonprofit bookkeeping systems", "Nonprofit accounting practice (demo)",
        ("QuickBooks", "Grant reporting"),
        "Fund accounting set-up and grant tracking in QuickBooks.",
    ),
    DemoProfessional(
        6, "Drupal development", "Drupal development studio (demo)",
        ("Drupal", "PHP", "MySQL"),
        "Custom Drupal modules and major-version upgrades.",
    ),
    DemoProfessional(
        7, "data visualisation", "Data visualisation studio (demo)",
        ("Tableau", "Power BI", "Airtable"),
        "Impact dashboards and annual-report graphics.",
    ),
    DemoProfessional(
        8, "structured cabling and Wi-Fi", "Cabling and wireless contractor (demo)",
        ("Wi-Fi networks", "Network administration"),
        "Licensed low-voltage contractor for cabling and access points.",
    ),
    DemoProfessional(
        9, "Spanish-language staff training", "Bilingual technology training cooperative (demo)",
        ("Staff training", "Google Workspace", "Microsoft 365"),
        "Classroom and online training in Spanish and English.",
    ),
    DemoProfessional(
        10, "Salesforce implementation", "Salesforce implementation partner (demo)",
        ("Salesforce Nonprofit Success Pack", "Salesforce", "Data migration"),
        "Full Nonprofit Success Pack implementations with a project team.",
    ),
]  # fmt: skip


@dataclass
class DemoSummary:
    created: Counter = field(default_factory=Counter)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def demo_skills_ensure() -> dict[str, Skill]:
    """The demo's skills by canonical name: the taxonomy's entries, created only where missing."""
    if not Skill.objects.exists():
        call_command("load_skills", verbosity=0)
    # Matched on the folded name, so the taxonomy's "WiFi networks" is the demo's "Wi-Fi networks".
    wanted = {fold(name): name for name in DEMO_SKILLS}
    found = {
        wanted[skill.folded_name]: skill for skill in Skill.objects.filter(folded_name__in=wanted)
    }
    for name, category in DEMO_SKILLS.items():
        if name not in found:
            found[name] = services.skill_create(name=name, category=category, source="demo")
    return found


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
        admitted = services.application_submit(
            name=spec.display_name,
            email=spec.email,
            location=spec.location,
            statement="Six years building accessible Drupal and WordPress sites for "
            "community health clinics; wants colleagues to cover during holidays.",
            skills_text=", ".join(spec.skills),
        )
        services.application_start_review(application=admitted, actor=coordinator)
        admitted = services.application_admit(
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
        application = services.application_submit(
            name=application_spec.name,
            email=application_spec.email,
            location=application_spec.location,
            statement="Independent consultant serving neighbourhood nonprofits; looking for "
            "colleagues to refer work to and to cover for.",
            skills_text=application_spec.skills_text,
        )
        if application_spec.status == MembershipApplication.Status.UNDER_REVIEW:
            services.application_start_review(application=application, actor=coordinator)
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


# --- Synthetic members for load tests ---------------------------------------------------------

SYNTHETIC_BATCH = 2000
# Members are generated and written this many at a time, so memory stays flat at any scale.
SYNTHETIC_CHUNK = 10_000

_STATUSES = (
    [Status.ACTIVE, Status.PROBATION, Status.ON_LEAVE, Status.ALUMNI],
    [0.80, 0.06, 0.04, 0.10],
)
# Where members work from, weighted roughly by the Bay Area's nonprofit sector.
_LOCATIONS = {
    "San Francisco, CA": 22, "Oakland, CA": 16, "San José, CA": 14, "Berkeley, CA": 8,
    "Fremont, CA": 4, "Hayward, CA": 4, "San Mateo, CA": 4, "Richmond, CA": 3,
    "Daly City, CA": 3, "Palo Alto, CA": 3, "Walnut Creek, CA": 3, "Vallejo, CA": 2,
    "Santa Rosa, CA": 3, "Santa Cruz, CA": 3, "Sacramento, CA": 4, "Los Angeles, CA": 4,
}  # fmt: skip
# Chance of each language besides English, roughly the Bay Area's mix of languages at home.
_OTHER_LANGUAGES = {
    "es": 0.22,
    "zh": 0.09,
    "tl": 0.05,
    "vi": 0.05,
    "ko": 0.02,
    "ru": 0.01,
    "fr": 0.02,
    "pt": 0.01,
    "ar": 0.01,
    "hi": 0.01,
    "asl": 0.005,
}
_LEVEL_WEIGHTS = [0.06, 0.27, 0.36, 0.23, 0.08]  # levels 1..5, most members at 2-4
_CAPACITIES = ([5, 10, 15, 20, 25, 30, 40], [0.05, 0.15, 0.20, 0.25, 0.15, 0.12, 0.08])
_PRO_BONO = [2, 4, 5, 8, 10, 16, 20]
_DRAWS = 32  # skill draws per member before de-duplication; enough for 12 distinct


@dataclass
class SyntheticResult:
    first_index: int = 0
    last_index: int = 0
    rows: Counter = field(default_factory=Counter)


@contextmanager
def _sqlite_real_parameter_limit():
    """Let ``bulk_create`` use SQLite's real limit on query parameters.

    Django 5.2 assumes the historic default of 999 and so writes a ten-column row 99 at a time,
    whatever ``batch_size`` asks for. SQLite has defaulted to 32 766 since 3.32 (Debian builds
    allow 250 000); Django 6.0 reads the limit from the connection (ticket #36143), and this
    does the same for the length of the bulk load, so a batch really is ``SYNTHETIC_BATCH`` rows.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    features = connection.features
    assumed = features.max_query_params
    features.max_query_params = max(assumed, limit)
    try:
        yield
    finally:
        features.max_query_params = assumed


def _next_synthetic_index() -> int:
    last = (
        User.objects.filter(username__startswith="scale-", email__endswith=f"@{SYNTHETIC_DOMAIN}")
        .order_by("-username")
        .values_list("username", flat=True)
        .first()
    )
    return int(last.removeprefix("scale-")) + 1 if last else 1


def _skill_pool() -> tuple[list[int], list[str], np.ndarray]:
    """Every loaded skill, most popular first, and cumulative draw probabilities by Zipf's law
    (weight 1/rank): a few skills are very common and there is a long tail."""
    rows = list(Skill.objects.order_by("pk").values_list("pk", "name"))
    rank = {fold(name): position for position, name in enumerate(DEMO_SKILLS)}
    rows.sort(key=lambda row: rank.get(fold(row[1]), len(rank)))  # stable: the rest by pk
    weights = 1.0 / np.arange(1, len(rows) + 1)
    return [pk for pk, _ in rows], [name for _, name in rows], np.cumsum(weights / weights.sum())


@dataclass
class _SyntheticContext:
    """What every chunk draws from: the skill pool, languages, and groups with their focus."""

    skill_ids: list[int]
    skill_names: list[str]
    cumulative: np.ndarray
    languages: set[str]
    groups: list[tuple[int, set[int]]]


@transaction.atomic
def synthetic_consultants_add(count: int, *, seed: int) -> SyntheticResult:
    """Add ``count`` synthetic members, with skills, languages, groups, history and time away.

    Emails continue from the highest existing index, so every call adds new members; the same
    seed on the same database gives the same members. The number of queries depends on
    ``count`` only through the number of batches of ``SYNTHETIC_BATCH`` rows.
    """
    result = SyntheticResult()
    skill_ids, skill_names, cumulative = _skill_pool()
    if not skill_ids:
        raise ValueError("The skills taxonomy is empty: run load_skills first.")
    first = _next_synthetic_index()
    result.first_index, result.last_index = first, first + count - 1
    rng = np.random.default_rng([seed, first])
    context = _SyntheticContext(
        skill_ids=skill_ids,
        skill_names=skill_names,
        cumulative=cumulative,
        languages=set(Language.objects.values_list("code", flat=True)),
        groups=[
            (group.pk, {skill.pk for skill in group.focus_skills.all()})
            for group in ConsultantGroup.objects.order_by("pk").prefetch_related("focus_skills")
        ],
    )
    with _sqlite_real_parameter_limit():
        for start in range(first, first + count, SYNTHETIC_CHUNK):
            size = min(SYNTHETIC_CHUNK, first + count - start)
            result.rows.update(_synthetic_chunk(start, size, rng, context))
    return result


def _synthetic_chunk(start: int, size: int, rng, context: _SyntheticContext) -> Counter:
    rows: Counter = Counter()
    now = timezone.now()
    today = timezone.localdate()

    # Per-member attributes, drawn for the whole chunk at once (as lists: faster to index).
    statuses = rng.choice(len(_STATUSES[0]), size=size, p=_STATUSES[1]).tolist()
    location_names = list(_LOCATIONS)
    location_weights = np.array(list(_LOCATIONS.values()), dtype=float)
    locations = rng.choice(
        len(location_names), size=size, p=location_weights / location_weights.sum()
    ).tolist()
    # Bay Area independent rates centre near $105 an hour; round to $5 as people quote them.
    rates = np.clip(np.round(rng.lognormal(np.log(105), 0.22, size) / 5) * 5, 60, 200).tolist()
    sliding = (rng.random(size) < 0.30).tolist()
    pro_bono = np.where(rng.random(size) < 0.35, rng.choice(_PRO_BONO, size=size), 0).tolist()
    capacities = rng.choice(_CAPACITIES[0], size=size, p=_CAPACITIES[1]).tolist()
    remote = (rng.random(size) < 0.85).tolist()
    joined_days_ago = rng.integers(30, 22 * 365, size).tolist()
    probation_days_left = rng.integers(1, 270, size).tolist()
    member_skills = _draw_member_skills(size, rng, context)

    users, consultants = [], []
    for offset in range(size):
        index = start + offset
        username = f"scale-{index:08d}"
        users.append(
            User(
                username=username,
                email=f"{username}@{SYNTHETIC_DOMAIN}",
                # Synthetic accounts never sign in; hashing 100 000 passwords would take hours.
                password=f"{UNUSABLE_PASSWORD_PREFIX}synthetic-load-test-account",
                date_joined=now,
            )
        )
    User.objects.bulk_create(users, batch_size=SYNTHETIC_BATCH)
    rows["users"] += size

    for offset, user in enumerate(users):
        status = _STATUSES[0][statuses[offset]]
        ranked = sorted(member_skills[offset], key=lambda entry: -entry[1])
        names = [context.skill_names[position] for position, _, _ in ranked[:3]]
        display_name = f"Synthetic member {start + offset:08d} · {names[0]}"[:120]
        consultants.append(
            Consultant(
                user_id=user.pk,
                display_name=display_name,
                # bulk_create skips save(), which keeps the key for the other members
                display_name_key=name_key(display_name),
                bio=f"Synthetic member for load tests. Works with nonprofits on "
                f"{', '.join(names)}.",
                location=location_names[locations[offset]],
                remote_ok=remote[offset],
                hourly_rate=Decimal(int(rates[offset])),
                sliding_scale=sliding[offset],
                pro_bono_hours_per_month=pro_bono[offset],
                capacity_hours_per_week=capacities[offset],
                status=status,
                probation_ends=(
                    today + datetime.timedelta(days=probation_days_left[offset])
                    if status == Status.PROBATION
                    else None
                ),
                joined_on=(
                    None
                    if status == Status.PROBATION
                    else today - datetime.timedelta(days=joined_days_ago[offset])
                ),
            )
        )
    Consultant.objects.bulk_create(consultants, batch_size=SYNTHETIC_BATCH)
    rows["consultants"] += size

    skill_rows = [
        ConsultantSkill(
            consultant_id=consultant.pk,
            skill_id=context.skill_ids[position],
            level=level,
            years=years,
        )
        for consultant, skills in zip(consultants, member_skills, strict=True)
        for position, level, years in skills
    ]
    ConsultantSkill.objects.bulk_create(skill_rows, batch_size=SYNTHETIC_BATCH)
    rows["consultant skills"] += len(skill_rows)

    rows.update(_synthetic_languages(consultants, rng, context))
    rows.update(_synthetic_groups(consultants, member_skills, rng, context))

    history = [
        ConsultantStatusChange(
            consultant_id=consultant.pk,
            from_status="",
            to_status=consultant.status,
            changed_at=now,
            reason="Synthetic member created for load tests.",
        )
        for consultant in consultants
    ]
    ConsultantStatusChange.objects.bulk_create(history, batch_size=SYNTHETIC_BATCH)
    rows["status history"] += len(history)

    # A few per cent are away at some point in the next three months, half with cover.
    away_rows = []
    away_offsets = np.flatnonzero(rng.random(size) < 0.03).tolist()
    for offset in away_offsets:
        begins = today + datetime.timedelta(days=int(rng.integers(-10, 90)))
        cover = consultants[(offset + 1) % size] if size > 1 and rng.random() < 0.5 else None
        away_rows.append(
            TimeAway(
                consultant_id=consultants[offset].pk,
                start=begins,
                end=begins + datetime.timedelta(days=int(rng.integers(2, 28))),
                note="Synthetic time away.",
                covering_id=cover.pk if cover is not None else None,
            )
        )
    TimeAway.objects.bulk_create(away_rows, batch_size=SYNTHETIC_BATCH)
    rows["time away"] += len(away_rows)
    return rows


def _draw_member_skills(size: int, rng, context: _SyntheticContext) -> list[list[tuple]]:
    """Each member's skills as (pool position, level, years): 3 to 12 distinct skills drawn by
    popularity, levels mostly 2 to 4, years of practice growing with the level."""
    pool_size = len(context.skill_ids)
    wanted_counts = np.clip(np.round(rng.normal(7, 2.2, size)), 3, 12).astype(int)
    wanted_counts = np.minimum(wanted_counts, pool_size).tolist()
    draws = np.searchsorted(context.cumulative, rng.random((size, _DRAWS)))
    draws = np.minimum(draws, pool_size - 1).tolist()
    chosen: list[list[int]] = []
    for row, wanted in zip(draws, wanted_counts, strict=True):
        distinct = list(dict.fromkeys(row))[:wanted]
        # A member whose draws kept repeating the head of the list takes the next popular ones.
        position = 0
        while len(distinct) < wanted:
            if position not in distinct:
                distinct.append(position)
            position += 1
        chosen.append(distinct)
    total = sum(wanted_counts)
    levels = rng.choice(5, size=total, p=_LEVEL_WEIGHTS) + 1
    years = np.clip(levels * 2 + rng.integers(-2, 5, total), 1, 30).tolist()
    unknown_years = (rng.random(total) < 0.15).tolist()
    levels = levels.tolist()
    member_skills, cursor = [], 0
    for positions in chosen:
        member_skills.append(
            [
                (position, levels[i], None if unknown_years[i] else years[i])
                for i, position in enumerate(positions, start=cursor)
            ]
        )
        cursor += len(positions)
    return member_skills


def _synthetic_languages(consultants, rng, context: _SyntheticContext) -> Counter:
    through = Consultant.languages.through
    others = [
        (code, chance) for code, chance in _OTHER_LANGUAGES.items() if code in context.languages
    ]
    speaks_english = rng.random(len(consultants)) < 0.93
    extra = rng.random((len(consultants), len(others)))
    links = []
    for offset, consultant in enumerate(consultants):
        codes = ["en"] if speaks_english[offset] and "en" in context.languages else []
        codes += [
            code for column, (code, chance) in enumerate(others) if extra[offset, column] < chance
        ][:2]
        if not codes and context.languages:
            codes = ["en"] if "en" in context.languages else [next(iter(context.languages))]
        links.extend(through(consultant_id=consultant.pk, language_id=code) for code in codes)
    through.objects.bulk_create(links, batch_size=SYNTHETIC_BATCH)
    return Counter({"languages": len(links)})


def _synthetic_groups(consultants, member_skills, rng, context: _SyntheticContext) -> Counter:
    """Members join up to two groups whose focus matches a skill they hold at level 3 or more."""
    if not context.groups:
        return Counter()
    through = ConsultantGroup.members.through
    joins = rng.random((len(consultants), len(context.groups)))
    links = []
    for offset, consultant in enumerate(consultants):
        if consultant.status == Status.ALUMNI:
            continue
        strong = {
            context.skill_ids[position]
            for position, level, _ in member_skills[offset]
            if level >= 3
        }
        joined = 0
        for column, (group_id, focus) in enumerate(context.groups):
            # Groups without a focus take members at random, a little less often.
            fits = bool(strong & focus) if focus else joins[offset, column] < 0.25
            if fits and joins[offset, column] < 0.6 and joined < 2:
                links.append(through(consultant_id=consultant.pk, consultantgroup_id=group_id))
                joined += 1
    through.objects.bulk_create(links, batch_size=SYNTHETIC_BATCH)
    return Counter({"group memberships": len(links)})
