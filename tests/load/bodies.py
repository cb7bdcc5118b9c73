"""Request bodies the load run sends: shared by the locustfile and run.py (which must not
import locust: it patches the standard library for gevent)."""

SKILLS = [
    ["Salesforce", "donor database"],
    ["WordPress", "website accessibility"],
    ["network security", "firewall"],
    ["Microsoft 365", "email migration"],
    ["data reporting", "Excel"],
    ["CiviCRM"],
]
TOPICS = [
    "Donor database keeps losing gifts",
    "Website redesign before the spring campaign",
    "Office network is slow and insecure",
    "Move our email to the cloud",
    "Board wants monthly outcome reports",
]


def submission_body(run: str, user: int, number: int) -> dict:
    """A distinct public submission. Each organisation files four requests with distinct but
    similar titles, so duplicate detection compares against earlier ones and flags some."""
    organisation = f"Load {run} Community Org {user}-{number // 4}"
    slug = f"{run}-{user}-{number // 4}"
    return {
        "organization_name": organisation,
        "organization_website": f"https://org-{slug}.example.org",
        "contact_name": f"Pat Contact {user}",
        "contact_email": f"pat.{slug}@example.org",
        "title": f"{TOPICS[number % len(TOPICS)]} ({run}-{user}-{number})",
        "description": (
            "We are a small nonprofit with twelve staff and forty volunteers. "
            "We need help within the next month; our budget is modest. "
        )
        * 3,
        "skills": SKILLS[number % len(SKILLS)],
        "budget_max": "2500.00",
        "estimated_hours": 20 + number % 30,
        "pro_bono": number % 5 == 0,
        "urgency": ["low", "normal", "high", "emergency"][number % 4],
        "remote_ok": True,
        "location": "Oakland, CA",
        "languages": ["en"],
        "desired_start": "2030-01-15",
    }


def floor_body(user: int, number: int) -> dict:
    return {
        "name": f"Floor Org {user}",
        "email": f"floor.{user}.{number}@example.org",
        "website": "https://floor.example.org",
        "title": f"Floor row {user}-{number}",
        "description": "Ten fields validated and one row inserted. " * 3,
        "urgency": "normal",
        "budget": "2500.00",
        "hours": 20,
        "pro_bono": False,
        "desired_start": "2030-01-15",
    }
