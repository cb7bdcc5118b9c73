"""Small helpers shared by test modules."""

import functools
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, address: str) -> int:
    """How many queries a GET of ``address`` costs; the page must answer 200."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(captured)


def query_plan(sql: str) -> str:
    """The database's plan for ``sql``, one line per step: PostgreSQL's ``EXPLAIN`` with whole
    table scans priced out (on a test's tiny tables they are always cheapest, which hides what
    the indexes allow), or SQLite's ``EXPLAIN QUERY PLAN``. Call it inside the test's
    transaction, which ends the ``SET LOCAL``."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def api_schema_document() -> dict:
    """The API's OpenAPI schema as /api/schema/ serves it (generated in-process), as plain JSON."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


@functools.cache
def api_schema():
    """The API's OpenAPI schema loaded into Schemathesis, to check answers against."""
    import schemathesis

    return schemathesis.openapi.from_dict(api_schema_document())


def assert_matches_schema(response, operation: str) -> None:
    """Fail unless the schema documents ``response`` (from the test client) for ``operation``
    ("GET /api/v1/bids/{id}/"): its status code, its content type and its body."""
    import requests
    from schemathesis import Response
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    method, path = operation.split(" ", 1)
    sent_path = response.request["PATH_INFO"]
    template = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(path))
    matched = re.fullmatch(template, sent_path)
    assert matched, f"{sent_path} is not an address of {operation}"
    case = api_schema()[path][method].Case(path_parameters=matched.groupdict())
    sent = requests.Request(method, f"http://testserver{sent_path}").prepare()
    received = Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=response.content,
        request=sent,
        elapsed=0.0,
        verify=False,
    )
    checks = [status_code_conformance, content_type_conformance, response_schema_conformance]
    case.validate_response(received, checks=checks)


def team_bid_submitted(*, request, lead, member, price: str):
    """A two-member team bid on ``request`` (open for bids) led by ``lead`` with ``member``,
    accepted, signed by both and submitted. Returns the bid as stored."""
    from intake.bids import states, team, terms
    from intake.bids.models import Bid

    bid = team.bid_create(
        request_id=request.pk,
        actor=lead.user,
        price=price,
        lead_estimated_hours="40",
        invite=[{"consultant": member.pk, "role": "Data", "estimated_hours": "30"}],
    )
    team.bid_member_respond(bid_id=bid.pk, actor=member.user, accept=True)
    states.bid_send(bid_id=bid.pk, actor=lead.user)
    number = terms.current_agreement(Bid.objects.get(pk=bid.pk)).number
    for signer in (lead, member):
        terms.agreement_sign(bid_id=bid.pk, actor=signer.user, agreement_version=number)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    return Bid.objects.get(pk=bid.pk)


def bid_at_work(
    *, request, lead, member, coordinator, price: str = "9000", started_days_ago: int = 7
):
    """A two-member team bid on ``request`` (open for bids), carried through acceptance, the
    agreement signed by both, submission, a win decided by ``coordinator`` (a user) and the
    start of the work ``started_days_ago`` days ago: members may log hours for those days and
    today. Returns the bid as stored."""
    import datetime

    import time_machine
    from django.utils import timezone

    from intake.bids import states
    from intake.bids.models import Bid

    bid = team_bid_submitted(request=request, lead=lead, member=member, price=price)
    states.bid_decide(bid_id=bid.pk, actor=coordinator, won=True)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=started_days_ago)):
        states.bid_start(bid_id=bid.pk, actor=lead.user)
    return Bid.objects.get(pk=bid.pk)


ROOT = Path(__file__).resolve().parents[1]


def settings_in_a_new_process(expression: str, **environment):
    """The JSON value of ``expression`` (Python, ``s`` being the settings) in a fresh
    interpreter whose environment holds only PATH, HOME, the settings module and
    ``environment``: settings as a process started with that environment reads them."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({expression}))"
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "network.settings",
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def url_routes(patterns=None, prefix: str = ""):
    """(route, pattern) for every URL pattern of the project (or of ``patterns``), each route
    with the prefixes of the includes above it."""
    from django.urls import URLPattern, URLResolver, get_resolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


# --- Users as the next request sees them -----------------------------------------------------


def fresh(user):
    """The user as a new request loads them: nothing cached yet (roles, member record)."""
    return type(user).objects.get(pk=user.pk)


def with_status(user, status):
    """``user`` after their member record is set to ``status`` directly (no service, no
    history: stale data as the access rules must still handle it), loaded afresh."""
    from network.models import Consultant

    Consultant.objects.filter(user=user).update(status=status)
    return fresh(user)


def signed_in_client(user):
    """A page client with a session of ``user`` (loaded afresh)."""
    from django.test import Client

    client = Client()
    client.force_login(fresh(user))
    return client


# --- API tokens -------------------------------------------------------------------------------

# The password tests.factories.UserFactory gives every account.
PASSWORD = "correct horse battery"


def token_for(user, password: str = PASSWORD) -> str:
    """A new API token of ``user`` from ``POST /api/v1/auth/token/`` (which must answer 200)."""
    from rest_framework.test import APIClient

    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": password}
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(key: str):
    """An API client that sends ``Authorization: Token <key>``."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- Client requests --------------------------------------------------------------------------


def valid_request_body(**changes) -> dict:
    """A request for help as ``POST /api/v1/requests/`` accepts it, with ``changes``."""
    body = {
        "organization_name": "Mission Food Bank",
        "organization_website": "https://www.missionfoodbank.example.org/about",
        "contact_name": "Contact One",
        "contact_email": "contact.one@missionfoodbank.example.org",
        "title": "Donor database cleanup",
        "description": "Our donor records are duplicated across two systems.",
        "skills": ["CiviCRM", "data cleanup"],
        "budget_max": "2500.00",
        "estimated_hours": 30,
        "pro_bono": False,
        "urgency": "high",
        "remote_ok": True,
        "location": "San Francisco, CA",
        "languages": ["es", "en"],
        "desired_start": "2026-09-01",
    }
    body.update(changes)
    return body


# The request-for-help page's form, filled in as a client would (a POST to /request/).
REQUEST_FORM = {
    "organization_name": "Riverside Food Bank",
    "organization_website": "riverside-food.example.org",
    "contact_name": "Contact Person",
    "contact_email": "desk@riverside-food.example.org",
    "title": "Our volunteer rota spreadsheet keeps breaking",
    "description": "We schedule 80 volunteers in a shared spreadsheet that breaks weekly.",
    "skills": "Google Sheets, volunteer management",
    "urgency": "high",
    "budget_max": "1500",
    "estimated_hours": "20",
    "remote_ok": "on",
    "location": "Oakland, CA",
    "languages": ["es"],
    "desired_start": "2030-01-15",
}


def submission_from(address: str = "192.0.2.10"):
    """A request-for-help POST from the client address ``address``, for the throttles."""
    from django.test import RequestFactory

    return RequestFactory().post("/requests/new/", REMOTE_ADDR=address)


# --- Whole-database comparisons ---------------------------------------------------------------


def handbook_record_rows():
    """Every row a decision, a vote, a meeting or an action item writes (a refusal must leave
    them all as they were)."""
    from handbook.models import ActionItem, Decision, Meeting, Vote

    return (
        list(Decision.objects.order_by("pk").values()),
        list(Decision.eligible.through.objects.order_by("pk").values_list()),
        list(Vote.objects.order_by("pk").values()),
        list(Meeting.objects.order_by("pk").values()),
        list(ActionItem.objects.order_by("pk").values()),
    )


def _natural_key_models():
    # Rows that point at these are compared by natural key: migrate and flush recreate them
    # under new primary keys, and the export names them by natural key for that reason.
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    return (Group, Permission, ContentType)


def _exported_value(instance, field, natural_key_models) -> object:
    if field.is_relation and field.related_model in natural_key_models:
        related = getattr(instance, field.name)
        return related.natural_key() if related is not None else None
    return getattr(instance, field.attname)


def data_fingerprint() -> dict[str, tuple[int, str]]:
    """Per model ``export_data`` exports: its row count and a sha256 of its rows, every column
    and every many-to-many set included. No field is left out as volatile: a restore must be
    exact."""
    import hashlib

    from network.management.commands.export_data import exported_models

    natural = _natural_key_models()
    result = {}
    for model in exported_models():
        rows = []
        for instance in model._base_manager.all():
            row = [
                (field.name, _exported_value(instance, field, natural))
                for field in model._meta.concrete_fields
                if not (field.primary_key and model in natural)
            ]
            for field in model._meta.many_to_many:
                related = getattr(instance, field.name).all()
                if field.related_model in natural:
                    keys = sorted(item.natural_key() for item in related)
                else:
                    keys = sorted(item.pk for item in related)
                row.append((field.name, keys))
            rows.append(repr(row))
        digest = hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()
        result[model._meta.label] = (len(rows), digest)
    return result


# --- Django in other processes ----------------------------------------------------------------

_PRELUDE = (
    "import os, json, django\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'network.settings')\n"
    "django.setup()\n"
)


def process_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a subprocess: this checkout's development settings on the shared
    database, the ORM broker unless ``REDIS_URL`` is given, mail to the recording backend."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "EMAIL_URL", "DJANGO_SETTINGS_MODULE", "Q_WORKERS"}
    }
    env.update(
        DEBUG="1",
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="network.settings",
        EMAIL_BACKEND="tests.reliability.probes.RecordingMailBackend",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def run_django(code: str, env: dict[str, str], timeout: float = 60):
    """Run ``code`` in a fresh Django process; it prints one JSON value, which is returned."""
    finished = subprocess.run(
        [sys.executable, "-c", _PRELUDE + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if finished.returncode != 0:
        raise AssertionError(f"subprocess failed:\n{finished.stdout}\n{finished.stderr}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def wait_for(condition, timeout: float, message, interval: float = 0.05):
    """Poll ``condition`` until it is truthy; ``message`` (text, or a callable giving it when
    the wait fails, to describe the state at that moment) otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message() if callable(message) else message)


# --- Browser tests ----------------------------------------------------------------------------

AXE = ROOT / "tests" / "e2e" / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_BLOCKING = {"serious", "critical"}


def member_with_password(**fields):
    """A member (``ConsultantFactory`` with ``fields``) who signs in with ``PASSWORD``, set here
    explicitly so the browser's sign-in does not rest on the factory's default."""
    from tests.factories import ConsultantFactory

    consultant = ConsultantFactory(**fields)
    consultant.user.set_password(PASSWORD)
    consultant.user.save(update_fields=["password"])
    return consultant


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page loaded in ``page`` (Playwright); its serious and critical
    violations of WCAG 2.0/2.1 A and AA."""
    page.evaluate(AXE.read_text() + "\n;true")
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [v for v in results["violations"] if v["impact"] in AXE_BLOCKING]


def axe_report(address: str, violations: list[dict]) -> str:
    """``violations`` of the page at ``address``, one line each, with the elements at fault."""
    lines = [f"{len(violations)} serious or critical accessibility violation(s) on {address}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')!r}")
    return "\n".join(lines)


# --- Member records, the handbook and the members API, as several test modules read them --------


def consultant(user):
    """The member record of ``user``, read afresh."""
    from network.models import Consultant

    return Consultant.objects.get(user=user)


# The members API (network/api_consultants.py).
CONSULTANTS_API = "/api/v1/consultants/"


def consultant_api_url(consultant) -> str:
    """A member's address in the members API."""
    return f"{CONSULTANTS_API}{consultant.pk}/"


def handbook_page_url(page, name="handbook-page") -> str:
    """The address of a handbook page's view ``name`` (the page, its editor, its history…)."""
    from django.urls import reverse

    return reverse(name, args=[page.slug])


# The handbook's pages API (handbook/api.py).
HANDBOOK_PAGES = "/api/v1/handbook/pages/"


def handbook_api_page_url(page, suffix="") -> str:
    """A page's address in the pages API, with ``suffix`` ("revisions/", "diff/", …)."""
    return f"{HANDBOOK_PAGES}{page.slug}/{suffix}"


def handbook_page_edit(page, actor, body, **fields):
    """A new revision of ``page`` by ``actor``, based on its latest revision."""
    from handbook import services

    page.refresh_from_db()
    return services.page_edit(
        actor=actor, page_id=page.pk, base_revision=page.latest_revision_id, body=body, **fields
    )


# Who may use the handbook's records API (meetings, decisions: members only); None where a
# member succeeds, with the code the test names.
HANDBOOK_RECORD_ROLES = {"anonymous": 401, "applicant": 403, "member": None, "admin": None}


def handbook_permission_cases(success):
    """(role, expected status) for each of ``HANDBOOK_RECORD_ROLES``, a member's ``success``."""
    return [(role, expected or success) for role, expected in HANDBOOK_RECORD_ROLES.items()]


def handbook_record_counts():
    """How many meetings, decisions, votes, action items and pages there are."""
    from handbook.models import ActionItem, Decision, Meeting, Page, Vote

    return (
        Meeting.objects.count(),
        Decision.objects.count(),
        Vote.objects.count(),
        ActionItem.objects.count(),
        Page.objects.count(),
    )


def without_csrf_token(content: bytes) -> bytes:
    """A page without its CSRF token: every page carries one (the footer's language switcher),
    masked afresh each time, so two renderings of the same page differ only there."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
