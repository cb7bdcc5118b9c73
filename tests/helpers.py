"""Small helpers shared by test modules."""

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, address: str) -> int:
    """How many queries a GET of ``address`` costs; the page must answer 200."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(captured)


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

    from intake import bids
    from intake.models import Bid

    bid = bids.bid_create(
        request_id=request.pk,
        actor=lead.user,
        price=price,
        lead_estimated_hours="40",
        invite=[{"consultant": member.pk, "role": "Data", "estimated_hours": "30"}],
    )
    bids.bid_member_respond(bid_id=bid.pk, actor=member.user, accept=True)
    bids.bid_send(bid_id=bid.pk, actor=lead.user)
    number = bids.current_agreement(Bid.objects.get(pk=bid.pk)).number
    for signer in (lead, member):
        bids.agreement_sign(bid_id=bid.pk, actor=signer.user, agreement_version=number)
    bids.bid_submit(bid_id=bid.pk, actor=lead.user)
    bids.bid_decide(bid_id=bid.pk, actor=coordinator, won=True)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=started_days_ago)):
        bids.bid_start(bid_id=bid.pk, actor=lead.user)
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
