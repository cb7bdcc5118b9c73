"""Demo requests at every stage of the workflow, so a fresh `make run` has a queue to work.

Each request is submitted and moved through ``intake.workflow.request_apply`` as the demo's
own accounts (seed_demo makes them), so the demo has the same events and notifications a real
request would. Idempotent: requests are keyed on their title, and an existing one is left alone.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from intake.models import Request
from intake.services import request_submit
from intake.workflow import request_apply
from network.models import ConsultantGroup, ExternalProfessional, User

CLIENT_DOMAIN = "demo-client.switchboard.test"


@dataclass(frozen=True)
class DemoRequest:
    organization: str
    website: str
    title: str
    description: str
    skills: tuple[str, ...]
    urgency: str = "normal"
    budget_max: Decimal | None = None
    pro_bono: bool = False
    languages: tuple[str, ...] = ("en",)
    # The moves to make after submission: (action, username of the actor, fields).
    moves: tuple[tuple[str, str, dict], ...] = field(default=())


def _route(slug: str) -> tuple[str, str, dict]:
    return ("route", "intake", {"group_slug": slug})


REQUESTS = [
    DemoRequest(
        "Neighbourhood Food Pantry (demo)", "https://food-pantry.demo-client.switchboard.test",
        "Volunteer shift sign-ups keep double-booking",
        "We schedule about 60 volunteers a week in a shared spreadsheet and people overwrite "
        "each other. We use Google Workspace. Is there a simple fix?",
        ("Google Workspace", "Staff training"), urgency="normal", pro_bono=True,
    ),
    DemoRequest(
        "Tenants' Rights Clinic (demo)", "https://tenants-clinic.demo-client.switchboard.test",
        "Office Wi-Fi drops during client calls",
        "Our six-person office loses Wi-Fi several times a day, usually during video calls.",
        ("Wi-Fi networks", "Network administration"), urgency="high",
        budget_max=Decimal("1500"),
        moves=(("contact", "intake", {"note": "Called the office manager; the router is old."}),),
    ),
    DemoRequest(
        "Youth Arts Collective (demo)", "https://youth-arts.demo-client.switchboard.test",
        "Website is hard to use with a screen reader",
        "A parent told us our WordPress site cannot be used with a screen reader. We want to "
        "fix it before our spring enrolment opens.",
        ("WordPress", "Web accessibility"), budget_max=Decimal("4000"), languages=("en", "es"),
        moves=(
            ("contact", "intake", {"note": "Spoke with the director."}),
            ("triage", "intake", {"note": "An audit first, then fixes.", "urgency": "high"}),
            _route("websites-and-accessibility"),
        ),
    ),
    DemoRequest(
        "Harbour Literacy Project (demo)", "https://literacy.demo-client.switchboard.test",
        "Donor database full of duplicates before the year-end appeal",
        "Our CiviCRM has thousands of duplicate contacts and the appeal mailing goes out in "
        "three weeks.",
        ("CiviCRM", "Data migration"), urgency="high", budget_max=Decimal("2500"),
        moves=(
            ("contact", "intake", {}),
            ("triage", "intake", {}),
            _route("crm-and-fundraising-data"),
            ("offer", "member01", {"member": "member02"}),
        ),
    ),
    DemoRequest(
        "Senior Services Network (demo)", "https://senior-services.demo-client.switchboard.test",
        "Move our email from an old server to Microsoft 365",
        "Twenty staff still use a hosted mail server that is being shut down in the spring.",
        ("Microsoft 365", "Data migration"), budget_max=Decimal("6000"),
        moves=(
            ("contact", "intake", {}),
            ("triage", "intake", {}),
            _route("office-and-collaboration"),
            ("offer", "member05", {"member": "member05"}),
            ("accept", "member05", {}),
        ),
    ),
    DemoRequest(
        "Community Radio Cooperative (demo)", "https://radio.demo-client.switchboard.test",
        "Custom broadcast scheduling software",
        "We would like bespoke software to schedule our broadcasts and sync with our streaming "
        "host's API.",
        ("Python", "Broadcast automation"),
        moves=(
            ("contact", "intake", {}),
            ("triage", "intake", {}),
            ("refer_out", "intake", {"message": "Nobody in the alliance builds broadcast "
                                                "software; these professionals do."}),
        ),
    ),
]  # fmt: skip


class Command(BaseCommand):
    help = (
        "Add demo requests at every stage (new, contacted, routed, offered, engaged, referred "
        "out). Run after seed_demo; safe to run again."
    )

    def handle(self, *args, **options):
        if not User.objects.filter(username="intake").exists():
            raise CommandError("Run seed_demo first: the demo requests are worked by its accounts.")
        created = 0
        for spec in REQUESTS:
            if Request.objects.filter(title=spec.title).exists():
                continue
            with transaction.atomic():
                self._create(spec)
            created += 1
        self.stdout.write(
            f"Demo requests: {created} created, {len(REQUESTS) - created} already there."
        )

    def _create(self, spec: DemoRequest) -> None:
        slug = spec.organization.split(" (")[0].lower().replace(" ", "-").replace("'", "")
        submission = request_submit(
            organization_name=spec.organization,
            organization_website=spec.website,
            contact_name="Office desk",
            contact_email=f"office@{slug}.{CLIENT_DOMAIN}",
            title=spec.title,
            description=spec.description,
            skills=list(spec.skills),
            budget_max=spec.budget_max,
            pro_bono=spec.pro_bono,
            urgency=spec.urgency,
            languages=list(spec.languages),
        )
        request = submission.request
        for action, username, fields in spec.moves:
            fields = dict(fields)
            if "group_slug" in fields:
                fields["group"] = ConsultantGroup.objects.get(slug=fields.pop("group_slug")).pk
            if "member" in fields:
                fields["consultant"] = User.objects.get(username=fields.pop("member")).consultant.pk
            if action == "refer_out":
                fields["professionals"] = list(
                    ExternalProfessional.objects.filter(active=True)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:2]
                )
            request.refresh_from_db()
            request_apply(
                request_id=request.pk,
                action=action,
                actor=User.objects.get(username=username),
                version=request.version,
                **fields,
            )
