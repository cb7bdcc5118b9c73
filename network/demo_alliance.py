"""The demo alliance as data, following the story in docs/architecture.md ("The alliance"): six
active members (plus one on probation who comes in through an application), fourteen alumni,
consultant groups with coordinators, the staff roles, and the outside professionals the intake
coordinator refers clients to. ``network.demo_seed`` writes it to the database.

Nobody here is a real or invented person: members are named by number and speciality
("Member 01 · CRM and data").
"""

from dataclasses import dataclass

from network.demo import DEMO_DOMAIN
from network.models import Consultant, MembershipApplication
from network.roles import Role

Status = Consultant.Status


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
