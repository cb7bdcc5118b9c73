"""Demo requests at every stage of the workflow, so a fresh `make run` has a queue to work.

Each request is submitted and moved through ``intake.workflow.request_apply`` as the demo's
own accounts (seed_demo makes them), so the demo has the same events and notifications a real
request would. Idempotent: requests are keyed on their title, and an existing one is left alone.

It lives in the bids app because one demo request has a team bid under way; intake itself knows
nothing of bids.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from intake.bids import states, team, terms
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
    estimated_hours: int | None = None
    # A team bid started on it (after the moves): lead, price, team of (username, role, hours),
    # who accepted, whether the agreement went out, and who has signed it.
    bid: "DemoBid | None" = None


@dataclass(frozen=True)
class DemoBid:
    lead: str
    price: Decimal
    lead_hours: Decimal
    team: tuple[tuple[str, str, Decimal], ...]
    accepted: tuple[str, ...] = ()
    send: bool = False
    signed: tuple[str, ...] = ()
    share_percent: Decimal = Decimal("5")


_TO_BIDDING = (("contact", "intake", {}), ("triage", "intake", {}),
               ("start_bidding", "intake", {"note": "Too large for one member."}))  # fmt: skip


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
    DemoRequest(
        "River Watershed Alliance (demo)", "https://watershed.demo-client.switchboard.test",
        "Field data app for volunteer water testing",
        "Forty volunteers test water at twelve sites each month and mail us paper forms. We "
        "want a simple app, a database, and a public map of the results.",
        ("Python", "PostgreSQL", "Web accessibility", "Data visualisation"),
        budget_max=Decimal("24000"), estimated_hours=220, moves=_TO_BIDDING,
    ),
    DemoRequest(
        "Eastside Arts Council (demo)", "https://eastside-arts.demo-client.switchboard.test",
        "Replace our grants database and website together",
        "Our grants database and website are ten years old and do not talk to each other. We "
        "need both rebuilt, with the data moved across, before the autumn grant round.",
        ("WordPress", "CiviCRM", "Data migration"),
        budget_max=Decimal("18000"), estimated_hours=160, moves=_TO_BIDDING,
        bid=DemoBid(
            lead="member03", price=Decimal("16500"), lead_hours=Decimal("60"),
            team=(("member02", "Data migration", Decimal("50")),
                  ("member06", "Website", Decimal("50"))),
            accepted=("member02", "member06"), send=True, signed=("member03",),
        ),
    ),
]  # fmt: skip


class Command(BaseCommand):
    help = (
        "Add demo requests at every stage (new, contacted, routed, offered, engaged, referred "
        "out, open for team bids, with a bid out for signature). Run after seed_demo; safe to "
        "run again."
    )

    def handle(self, *args, **options):
        if not User.objects.filter(username="intake").exists():
            raise CommandError(
                _("Run seed_demo first: the demo requests are worked by its accounts.")
            )
        created = 0
        for spec in REQUESTS:
            if Request.objects.filter(title=spec.title).exists():
                continue
            with transaction.atomic():
                self._create(spec)
            created += 1
        self.stdout.write(
            _("Demo requests: %(created)s created, %(existing)s already there.")
            % {"created": created, "existing": len(REQUESTS) - created}
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
            estimated_hours=spec.estimated_hours,
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
        if spec.bid is not None:
            self._bid(request, spec.bid)

    def _bid(self, request: Request, spec: DemoBid) -> None:
        def user(username: str) -> User:
            return User.objects.get(username=username)

        bid = team.bid_create(
            request_id=request.pk,
            actor=user(spec.lead),
            price=spec.price,
            alliance_share_percent=spec.share_percent,
            lead_estimated_hours=spec.lead_hours,
            invite=[
                {"consultant": user(name).consultant.pk, "role": role, "estimated_hours": hours}
                for name, role, hours in spec.team
            ],
        )
        for name in spec.accepted:
            team.bid_member_respond(bid_id=bid.pk, actor=user(name), accept=True)
        if spec.send:
            states.bid_send(bid_id=bid.pk, actor=user(spec.lead))
            number = terms.current_agreement(bid).number
            for name in spec.signed:
                terms.agreement_sign(bid_id=bid.pk, actor=user(name), agreement_version=number)
