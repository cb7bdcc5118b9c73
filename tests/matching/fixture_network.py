"""A hand-made network and the requests a coordinator would route the same way every time.

Fourteen members ("Member A" … "Member N", named by letter and speciality, not as people) in the
shape of the demo alliance: CRM and fundraising data, websites and accessibility, networks and
security, office tools, data work. Some cannot take work: two alumni, one on leave, one full, one
away in March, one away in April, and one who works only on site in San José.

Each case names the member a coordinator would pick first and the members they would accept
among the first three suggestions; refer-out cases expect no member to reach the coverage
threshold. ``TODAY`` is fixed so time away is checked against a known day.
"""

import datetime
from dataclasses import dataclass

from matching.types import ConsultantProfile, ExternalProfile, RequestProfile

TODAY = datetime.date(2026, 2, 1)

TAXONOMY: list[tuple[str, list[str]]] = [
    ("Salesforce Nonprofit Success Pack", ["NPSP", "Salesforce NPSP", "Nonprofit Success Pack"]),
    ("Salesforce", ["SFDC", "Salesforce CRM", "Salesforce admin"]),
    ("CiviCRM", ["Civi CRM"]),
    ("Blackbaud Raiser's Edge", ["Raisers Edge", "Raiser's Edge NXT", "RE NXT"]),
    ("Bloomerang", []),
    ("Data migration", ["data conversion", "migrating data"]),
    ("Mailchimp", ["Mail Chimp"]),
    ("WordPress", ["WP"]),
    ("Drupal", []),
    ("Web accessibility", ["WCAG", "a11y", "accessibility audit"]),
    ("Website design", ["web design"]),
    ("Network administration", ["LAN", "network admin"]),
    ("Firewalls", ["firewall"]),
    ("Wi-Fi networks", ["WiFi", "wireless network"]),
    ("Information security", ["cybersecurity", "infosec"]),
    ("Backups and disaster recovery", ["backups", "disaster recovery"]),
    ("Help desk support", ["helpdesk", "IT support"]),
    ("Google Workspace", ["G Suite", "Gmail"]),
    ("Microsoft 365", ["Office 365", "O365", "M365"]),
    ("SharePoint", []),
    ("Staff training", ["training staff"]),
    ("QuickBooks", ["QuickBooks Online", "QBO"]),
    ("Tableau", []),
    ("Power BI", ["PowerBI"]),
    ("Python", []),
    ("PostgreSQL", ["Postgres"]),
    ("Grant reporting", ["grant reports", "funder reports"]),
    ("Airtable", []),
    ("iOS development", ["iPhone apps", "iOS apps"]),
    ("Android development", ["Android apps"]),
    ("Kubernetes", ["k8s"]),
]

A, B, C, D, E, F, G, H, I, J, K, L, M, N = range(1, 15)  # noqa: E741 -- member letters
LETTERS = {number: chr(ord("A") + number - 1) for number in range(1, 15)}
MARCH = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
APRIL = (datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
PYTHON_AWAY = (datetime.date(2026, 2, 15), datetime.date(2026, 2, 20))


def _member(number: int, speciality: str, **fields) -> ConsultantProfile:
    fields.setdefault("status", "active")
    fields.setdefault("capacity_hours_per_week", 20)
    fields.setdefault("languages", frozenset({"en"}))
    return ConsultantProfile(id=number, name=f"Member {LETTERS[number]} · {speciality}", **fields)


CONSULTANTS = [
    _member(
        A, "CRM and data",
        skills={"Salesforce Nonprofit Success Pack": 5, "Salesforce": 4, "Data migration": 4,
                "Grant reporting": 3, "Tableau": 3, "Mailchimp": 3},
        text="Moves food banks and clinics off spreadsheets and onto a CRM their staff can run, "
        "then teaches them to report to funders from it.",
        languages=frozenset({"en", "es"}), location="Oakland, CA", hourly_rate=110,
        sliding_scale=True, pro_bono_hours_per_month=4, capacity_hours_per_week=25,
        committed_hours_per_week=5, clients_served=frozenset({101}), recent_offers=2,
    ),
    _member(
        B, "fundraising databases",
        skills={"Blackbaud Raiser's Edge": 5, "Bloomerang": 4, "CiviCRM": 4, "Data migration": 4,
                "Mailchimp": 4, "Staff training": 3},
        text="Donor databases for small development shops: choosing one, cleaning the data, "
        "migrating it and training the volunteers who keep it.",
        languages=frozenset({"en", "zh"}), location="San Francisco, CA", hourly_rate=95,
        sliding_scale=True, pro_bono_hours_per_month=6,
    ),
    _member(
        C, "websites and accessibility",
        skills={"WordPress": 5, "Drupal": 4, "Web accessibility": 5, "Website design": 4},
        text="Accessible websites for arts groups and advocacy organisations; audits to WCAG 2.2 "
        "AA and fixes what the audit finds.",
        languages=frozenset({"en", "es"}), location="Berkeley, CA", hourly_rate=125,
    ),
    _member(
        D, "networks and security",
        skills={"Network administration": 5, "Firewalls": 5, "Wi-Fi networks": 4,
                "Information security": 4, "Backups and disaster recovery": 4,
                "Help desk support": 3, "Microsoft 365": 3},
        text="Office networks, firewalls and backups for multi-site service agencies; on-site "
        "across the South Bay.",
        languages=frozenset({"en", "vi"}), location="San José, CA", hourly_rate=140,
        capacity_hours_per_week=30, remote_ok=False, away=(APRIL,),
    ),
    _member(
        E, "office and collaboration",
        skills={"Google Workspace": 5, "Microsoft 365": 4, "SharePoint": 4, "Staff training": 5,
                "Help desk support": 4},
        text="Gets small teams onto shared drives, calendars and video calls that work, and "
        "writes the one-page guides people actually read.",
        languages=frozenset({"en", "tl"}), location="Oakland, CA", hourly_rate=85,
        sliding_scale=True, pro_bono_hours_per_month=8, capacity_hours_per_week=15,
    ),
    _member(
        F, "data and integrations",
        skills={"Python": 5, "PostgreSQL": 4, "Airtable": 4, "Data migration": 4, "Tableau": 4,
                "Power BI": 3, "Salesforce": 3},
        text="Connects the systems a nonprofit already has: CRM to email list, forms to "
        "databases, dashboards for the board.",
        languages=frozenset({"en", "es"}), location="San Francisco, CA", hourly_rate=150,
        pro_bono_hours_per_month=2, away=(PYTHON_AWAY,), recent_offers=1,
    ),
    _member(
        G, "Drupal and accessibility",
        status="probation",
        skills={"Drupal": 4, "Web accessibility": 4, "WordPress": 3},
        text="Drupal site builds and accessibility fixes for community organisations.",
        languages=frozenset({"en", "es"}), location="Berkeley, CA", hourly_rate=95,
        sliding_scale=True, pro_bono_hours_per_month=4,
    ),
    _member(
        H, "networks",
        status="alumni",
        skills={"Network administration": 4, "Wi-Fi networks": 4, "Firewalls": 3},
        text="Office networks and wireless for small offices.",
        languages=frozenset({"en", "es"}), location="Sacramento, CA", hourly_rate=90,
    ),
    _member(
        I, "accounting systems",
        status="alumni",
        skills={"QuickBooks": 5, "Grant reporting": 3},
        text="Bookkeeping systems and grant accounting for small nonprofits.",
        languages=frozenset({"en", "es"}), location="Hayward, CA", hourly_rate=85,
    ),
    _member(
        J, "data and reporting",
        status="on_leave",
        skills={"Power BI": 5, "Tableau": 5, "Grant reporting": 4},
        text="Dashboards and outcome reports for funders.",
        location="Seattle, WA", hourly_rate=115,
    ),
    _member(
        K, "Microsoft platforms",
        skills={"SharePoint": 5, "Microsoft 365": 5, "Power BI": 4},
        text="SharePoint intranets and Microsoft 365 tenants for mid-sized agencies.",
        location="Fremont, CA", hourly_rate=100, capacity_hours_per_week=10,
        committed_hours_per_week=10,
    ),
    _member(
        L, "CiviCRM",
        skills={"CiviCRM": 5, "Drupal": 3, "Mailchimp": 3},
        text="CiviCRM for membership organisations and unions: memberships, events, dues.",
        languages=frozenset({"en", "es"}), location="Richmond, CA", hourly_rate=90, away=(MARCH,),
    ),
    _member(
        M, "security and backups",
        skills={"Information security": 5, "Backups and disaster recovery": 5,
                "Microsoft 365": 4, "Firewalls": 3},
        text="Security reviews, backups that restore, and Microsoft 365 hardening for legal aid "
        "and health organisations.",
        location="Walnut Creek, CA", hourly_rate=130, clients_served=frozenset({205}),
    ),
    _member(
        N, "small websites and email",
        skills={"WordPress": 4, "Website design": 4, "Mailchimp": 4, "Google Workspace": 3},
        text="WordPress sites and email newsletters for food pantries and small community "
        "groups, often as volunteer work.",
        languages=frozenset({"en", "es"}), location="Hayward, CA", hourly_rate=75,
        sliding_scale=True, pro_bono_hours_per_month=10,
    ),
]  # fmt: skip

EXTERNALS = [
    ExternalProfile(1, "Outside professional 01 · accessibility audits", "Audit practice",
                    frozenset({"Web accessibility", "Website design"})),
    ExternalProfile(2, "Outside professional 02 · Raiser's Edge", "Fundraising systems firm",
                    frozenset({"Blackbaud Raiser's Edge", "Data migration"})),
    ExternalProfile(3, "Outside professional 03 · managed IT", "Managed IT firm",
                    frozenset({"Help desk support", "Network administration", "Microsoft 365",
                               "Backups and disaster recovery"})),
    ExternalProfile(4, "Outside professional 04 · mobile apps", "App studio",
                    frozenset({"iOS development", "Android development"})),
    ExternalProfile(5, "Outside professional 05 · bookkeeping", "Bookkeeping firm",
                    frozenset({"QuickBooks", "Grant reporting"})),
    ExternalProfile(6, "Outside professional 06 · cloud", "Cloud engineering firm",
                    frozenset({"Kubernetes", "PostgreSQL", "Python"})),
]  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One request and the answer a coordinator would agree on."""

    label: str
    request: RequestProfile
    top1: int | None = None  # None: refer out
    top3: frozenset[int] = frozenset()  # members acceptable as the first suggestion
    external: int | None = None  # the outside professional to suggest first, for refer-outs

    @property
    def refer_out(self) -> bool:
        return self.top1 is None


def _case(label: str, skills: tuple[str, ...], top1: int | None, top3=(), **fields) -> Case:
    external = fields.pop("external", None)
    request = RequestProfile(skills=skills, **fields)
    return Case(label, request, top1, frozenset(top3) | ({top1} if top1 else set()), external)


CASES = [
    _case("NPSP move", ("NPSP",), A, {F},
          text="Move our donor spreadsheet into Salesforce NPSP."),
    _case("Raiser's Edge conversion", ("Raiser's Edge NXT", "data conversion"), B, {A, F}),
    _case("accessibility audit of a WordPress site", ("WCAG",), C, {G, N},
          text="An accessibility audit of our WordPress site before the grant deadline."),
    _case("on-site firewall and Wi-Fi in San José", ("firewall", "wifi"), D,
          remote_ok=False, location="San José, CA"),
    _case("Office 365 help desk", ("Office 365", "helpdesk"), E, {D, M}),
    _case("Google Workspace training", ("Google Workspace", "training staff"), E, {N, B}),
    _case("Python and Postgres", ("Python", "Postgres"), F),
    _case("Tableau grant reports", ("Tableau", "grant reports"), A, {F}),
    _case("Power BI: on leave and full members skipped", ("Power BI",), F),
    _case("SharePoint: the full member skipped", ("SharePoint",), E),
    _case("CiviCRM while its specialist is away", ("Civi CRM",), B,
          window=(datetime.date(2026, 3, 5), datetime.date(2026, 3, 20))),
    _case("CiviCRM now", ("CiviCRM",), L, {B}),
    _case("firewalls in Vietnamese", ("Firewalls",), D, languages=frozenset({"vi"})),
    _case("firewalls and security", ("Firewalls", "cybersecurity"), D, {M}),
    _case("backups (two aliases of one skill)", ("backups", "disaster recovery"), M, {D}),
    _case("Raiser's Edge in Chinese", ("Raisers Edge",), B, languages=frozenset({"zh"})),
    _case("pro bono newsletters", ("Mailchimp",), N, {B, A}, pro_bono=True,
          text="Set up email newsletters for our tiny food pantry; we cannot pay."),
    _case("pro bono WordPress refresh", ("WordPress",), N, {G, C}, pro_bono=True,
          text="Volunteer help to refresh the WordPress site of a small community group."),
    _case("Drupal upgrade on a budget", ("Drupal",), G, {C, L},
          budget_max=1900, estimated_hours=20, text="Drupal 7 to 10 upgrade."),
    _case("Salesforce admin", ("Salesforce admin",), A, {F}),
    _case("on-site Office 365 in San José", ("Office 365",), D,
          remote_ok=False, location="San José, CA"),
    _case("Office 365 for a returning client", ("O365",), M, {E, D}, organization_id=205),
    _case("Google Workspace in Tagalog", ("G Suite",), E, languages=frozenset({"tl"})),
    _case("Bloomerang and Mailchimp", ("Bloomerang", "Mailchimp"), B, {N, A, L}),
    _case("web design and WordPress", ("web design", "WordPress"), C, {N, G}),
    _case("web design and WordPress on a small budget", ("web design", "WordPress"), N, {C, G},
          budget_max=1500, estimated_hours=20),
    _case("Airtable", ("Airtable",), F),
    _case("NPSP and Tableau for a returning client", ("NPSP", "Tableau"), A, {F},
          organization_id=101),
    _case("Wi-Fi: alumni skipped", ("WiFi",), D),
    _case("grant reporting: leave and alumni skipped", ("Grant reporting",), A, {F}),
    _case("pro bono help desk", ("Help desk support",), E, {D}, pro_bono=True),
    _case("staff training", ("Staff training",), E, {B}),
    _case("accessibility audit in Spanish", ("accessibility audit",), C, {G},
          languages=frozenset({"es"})),
    _case("data migration among equals: fewest recent offers first", ("Data migration",), B,
          {A, F}),
    _case("firewalls in April, when the specialist is away", ("Firewalls",), M,
          window=APRIL),
    _case("Gmail and staff training from the text alone", (), E, {N, B},
          text="Our shared drive and email are a mess; please set up Gmail and do some "
          "training staff can follow."),
    _case("an accessible website, by text alone", (), C, {G, N},
          text="We want an accessible website for our arts group, audited and fixed."),
    _case("Mailchimp for a union with CiviCRM", ("CiviCRM", "Mailchimp"), L, {B},
          text="Our union's memberships and events live in CiviCRM."),
    _case("Salesforce dashboards", ("Salesforce", "Tableau"), F, {A}),
    _case("security review for a returning client", ("infosec",), M, {D},
          organization_id=205),
    # Refer-out cases: nobody active fits.
    _case("QuickBooks: only an alumnus has it", ("QuickBooks Online",), None, external=5),
    _case("iPhone app", ("iPhone apps",), None, external=4),
    _case("phone apps for both platforms", ("iOS apps", "Android apps"), None, external=4),
    _case("Kubernetes and Postgres: only half covered", ("k8s", "Postgres"), None, external=6),
    _case("network admin in Spanish", ("LAN", "Wi-Fi"), None, languages=frozenset({"es"}),
          external=3),
    _case("Python while its only holder is away", ("Python",), None,
          window=(datetime.date(2026, 2, 16), datetime.date(2026, 2, 19)), external=6),
    _case("NPSP in French", ("NPSP",), None, languages=frozenset({"fr"})),
]  # fmt: skip
