"""Who may open what, across the whole site: every URL pattern (pages and API) against every
actor, each cell the exact status code.

The rows are keyed by URL pattern; ``test_every_url_has_a_row`` walks the resolver and fails
when a route has no row, so a new URL cannot ship without its access decision written down.
The network API's finer matrix (every method of every member endpoint) stays in
``tests/network/test_api_access_matrix.py``; this one holds one or two cells per route.

The actors:

- ``anonymous``: nobody signed in.
- ``client``: the nonprofit holding the private status link of its request. The token is its
  only credential: it opens ``status/<token>/`` and its API twin; everywhere else the client is
  anonymous. Every other actor is given an unknown token of the same shape (404).
- ``consultant``: an active member, on the team of the bid below (not its lead), not a
  coordinator.
- ``group_coordinator``: coordinates the group the request was routed to.
- ``intake_coordinator``, ``community_coordinator``, ``secretary``: the roles of
  ``network/roles.py``; the first is also a member, the other two are staff accounts only, as in
  the demo alliance.
- ``admin``: a superuser.
- ``former_coordinator``, ``alumni_coordinator``: members who coordinated a group and stopped
  working (former, alumni). Their groups still name them (a record from before the status
  change ended the role, or written around the services), so every rule must look at the
  member's status: a former member is no member at all (403 on members' pages and the API);
  an alumnus reads the directory and the handbook and sees their own past work, and holds no
  coordinator, bid or record right.

Reads are GETs; writes are sent with an empty or minimal body, so the answer is the permission
answer (403/404/302), or, for those allowed, the validation or state answer (400/409) that shows
they got past the gate. Pages answer anonymous visitors with a redirect to the sign-in page
(``LOGIN``); the API answers them 401, with the token authentication's challenge
(``WWW-Authenticate: Token``), and 403 to those signed in who may not.

The world is built once per module (see ``world``) and each test runs in a savepoint inside it,
so a write that goes through is rolled back before the next cell.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from handbook import services as handbook_services
from handbook.models import Decision, Page
from intake import services as intake_services
from intake.bids import services as bids
from intake.bids.models import Bid
from intake.models import Request
from intake.workflow import request_apply
from matching import adapter
from network import services as network_services
from network.models import Consultant
from network.roles import Role
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    ConsultantSkillFactory,
    ExternalProfessionalFactory,
    SkillFactory,
    TimeAwayFactory,
    UserFactory,
)
from tests.helpers import bid_at_work

ACTORS = (
    "anonymous",
    "client",
    "consultant",
    "group_coordinator",
    "intake_coordinator",
    "community_coordinator",
    "secretary",
    "admin",
    "former_coordinator",
    "alumni_coordinator",
)
LOGIN = "login"  # 302 to the sign-in page
BACKEND = "django.contrib.auth.backends.ModelBackend"
UNKNOWN_TOKEN = "A" * 22  # the shape of a real token (128 bits, URL-safe base64)

# Routes that are not the product's own: the admin has its own permission system and is
# tested in tests/*/test_admin.py.
EXCLUDED_PREFIXES = ("admin/",)


@dataclass(frozen=True)
class Row:
    pattern: str  # the route as the resolver spells it (normalised, see ``url_patterns``)
    method: str
    path: str  # with {placeholders} filled from the world
    codes: tuple  # one per actor, in the order of ACTORS
    body: dict | None = None
    what: str = ""


def R(pattern, method, path, codes, body=None, what=""):  # a short name: it reads as a table
    assert len(codes) == len(ACTORS), pattern
    return Row(pattern, method, path, tuple(codes), body, what)


L = LOGIN
ROWS = [
    # --- API: schema, docs, root
    R("api/schema/", "get", "/api/schema/", (200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    R("api/docs/", "get", "/api/docs/", (200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    R("api/v1/", "get", "/api/v1/", (401, 401, 200, 200, 200, 200, 200, 200, 200, 200)),
    R(
        "api/v1/auth/token/",
        "post",
        "/api/v1/auth/token/",
        (400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    ),
    # --- API: requests
    R(
        "api/v1/requests/",
        "get",
        "/api/v1/requests/",
        (401, 401, 200, 200, 200, 200, 403, 200, 403, 200),
    ),
    R(
        "api/v1/requests/",
        "post",
        "/api/v1/requests/",
        (400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
        body={},
        what="submit a request (empty body)",
    ),
    R(
        "api/v1/requests/<pk>/",
        "get",
        "/api/v1/requests/{request}/",
        (401, 401, 200, 200, 200, 200, 403, 200, 403, 404),
    ),
    R(
        "api/v1/requests/<pk>/transitions/",
        "post",
        "/api/v1/requests/{request}/transitions/",
        (401, 401, 403, 403, 409, 409, 403, 409, 403, 404),
        body={"action": "complete", "version": "{request_version}"},
    ),
    R(
        "api/v1/requests/<pk>/skills/",
        "post",
        "/api/v1/requests/{request}/skills/",
        (401, 401, 403, 403, 409, 403, 403, 409, 403, 404),
        body={"version": "{request_version}", "add": ["Grant writing"]},
        what="intake coordinators only; 409: the request is engaged, no longer open",
    ),
    R(
        "api/v1/requests/status/<str:token>/",
        "get",
        "/api/v1/requests/status/{token}/",
        (404, 200, 404, 404, 404, 404, 404, 404, 404, 404),
    ),
    R(
        "api/v1/requests/<int:pk>/matches/",
        "get",
        "/api/v1/requests/{request}/matches/",
        (401, 401, 403, 200, 200, 200, 403, 200, 403, 403),
    ),
    R(
        "api/v1/requests/<int:pk>/teams/",
        "get",
        "/api/v1/requests/{request}/teams/",
        (401, 401, 403, 200, 200, 200, 403, 200, 403, 403),
    ),
    R(
        "api/v1/skills/normalize/",
        "post",
        "/api/v1/skills/normalize/",
        (401, 401, 403, 400, 400, 400, 403, 400, 403, 403),
    ),
    R(
        "api/v1/match/",
        "post",
        "/api/v1/match/",
        (401, 401, 403, 400, 400, 400, 403, 400, 403, 403),
    ),
    # --- API: bids
    R("api/v1/bids/", "get", "/api/v1/bids/", (401, 401, 200, 200, 200, 200, 403, 200, 403, 403)),
    R(
        "api/v1/bids/",
        "post",
        "/api/v1/bids/",
        (401, 401, 400, 400, 400, 400, 403, 400, 403, 403),
        body={},
        what="start a bid (empty body)",
    ),
    R(
        "api/v1/bids/<pk>/",
        "get",
        "/api/v1/bids/{bid}/",
        (401, 401, 200, 200, 200, 200, 403, 200, 403, 403),
    ),
    R(
        "api/v1/bids/<pk>/",
        "patch",
        "/api/v1/bids/{bid}/",
        (401, 401, 403, 403, 409, 409, 403, 409, 403, 403),
        body={"price": "9500", "version": "{bid_version}"},
        what="change the price",
    ),
    R(
        "api/v1/bids/<pk>/accept/",
        "post",
        "/api/v1/bids/{bid}/accept/",
        (401, 401, 409, 403, 403, 403, 403, 403, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "api/v1/bids/<pk>/agreement/",
        "get",
        "/api/v1/bids/{bid}/agreement/",
        (401, 401, 200, 403, 200, 200, 403, 200, 403, 403),
    ),
    R(
        "api/v1/bids/<pk>/decline/",
        "post",
        "/api/v1/bids/{bid}/decline/",
        (401, 401, 409, 403, 403, 403, 403, 403, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "api/v1/bids/<pk>/hours/",
        "get",
        "/api/v1/bids/{bid}/hours/",
        (401, 401, 200, 403, 200, 200, 403, 200, 403, 403),
    ),
    R(
        "api/v1/bids/<pk>/hours/",
        "post",
        "/api/v1/bids/{bid}/hours/",
        (401, 401, 201, 403, 403, 403, 403, 403, 403, 403),
        body={"date": "{yesterday}", "hours": "1"},
        what="log an hour",
    ),
    R(
        "api/v1/bids/<pk>/hours/<entry_id>/",
        "delete",
        "/api/v1/bids/{bid}/hours/{entry}/",
        (401, 401, 204, 403, 403, 403, 403, 403, 403, 403),
    ),
    R(
        "api/v1/bids/<pk>/invite/",
        "post",
        "/api/v1/bids/{bid}/invite/",
        (401, 401, 403, 403, 409, 409, 403, 409, 403, 403),
        body={
            "consultant": "{outsider}",
            "role": "QA",
            "estimated_hours": "5",
            "version": "{bid_version}",
        },
    ),
    R(
        "api/v1/bids/<pk>/members/<consultant_id>/",
        "patch",
        "/api/v1/bids/{bid}/members/{consultant}/",
        (401, 401, 403, 403, 409, 409, 403, 409, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "api/v1/bids/<pk>/outcome/",
        "post",
        "/api/v1/bids/{bid}/outcome/",
        (401, 401, 403, 403, 409, 403, 403, 409, 403, 403),
        body={"outcome": "won", "version": "{bid_version}"},
    ),
    R(
        "api/v1/bids/<pk>/send/",
        "post",
        "/api/v1/bids/{bid}/send/",
        (401, 401, 403, 403, 409, 409, 403, 409, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "api/v1/bids/<pk>/settle/",
        "post",
        "/api/v1/bids/{bid}/settle/",
        (401, 401, 403, 403, 200, 200, 403, 200, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "api/v1/bids/<pk>/sign/",
        "post",
        "/api/v1/bids/{bid}/sign/",
        (401, 401, 200, 403, 403, 403, 403, 403, 403, 403),
        body={"version": "{agreement}"},
    ),
    R(
        "api/v1/bids/<pk>/start/",
        "post",
        "/api/v1/bids/{bid}/start/",
        (401, 401, 403, 403, 409, 409, 403, 409, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "api/v1/bids/<pk>/statement/",
        "get",
        "/api/v1/bids/{bid}/statement/",
        (401, 401, 404, 403, 404, 404, 403, 404, 403, 403),
    ),
    R(
        "api/v1/bids/<pk>/statement/approve/",
        "post",
        "/api/v1/bids/{bid}/statement/approve/",
        (401, 401, 409, 403, 403, 403, 403, 403, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "api/v1/bids/<pk>/statement/approve-on-behalf/",
        "post",
        "/api/v1/bids/{bid}/statement/approve-on-behalf/",
        (401, 401, 403, 403, 409, 409, 403, 409, 403, 403),
        body={"version": "{bid_version}", "consultant": "{consultant}", "reason": "On leave"},
        what="staff coordinators only; 409: no statement is out",
    ),
    R(
        "api/v1/bids/<pk>/statement/csv/",
        "get",
        "/api/v1/bids/{bid}/statement/csv/",
        (401, 401, 404, 403, 404, 404, 403, 404, 403, 403),
    ),
    R(
        "api/v1/bids/<pk>/statement/dispute/",
        "post",
        "/api/v1/bids/{bid}/statement/dispute/",
        (401, 401, 409, 403, 403, 403, 403, 403, 403, 403),
        body={"version": "{bid_version}", "reason": "Wrong hours"},
    ),
    R(
        "api/v1/bids/<pk>/submit/",
        "post",
        "/api/v1/bids/{bid}/submit/",
        (401, 401, 403, 403, 409, 403, 403, 409, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "api/v1/bids/<pk>/withdraw/",
        "post",
        "/api/v1/bids/{bid}/withdraw/",
        (401, 401, 403, 403, 409, 409, 403, 409, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "api/v1/bid-board/",
        "get",
        "/api/v1/bid-board/",
        (401, 401, 200, 200, 200, 200, 403, 200, 403, 403),
    ),
    R(
        "api/v1/bid-board/<pk>/volunteer/",
        "post",
        "/api/v1/bid-board/{open_request}/volunteer/",
        (401, 401, 201, 201, 201, 403, 403, 403, 403, 403),
    ),
    # --- API: handbook
    R(
        "api/v1/handbook/search/",
        "get",
        "/api/v1/handbook/search/?q=work",
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    R(
        "api/v1/handbook/export/",
        "get",
        "/api/v1/handbook/export/",
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    R(
        "api/v1/handbook/pages/",
        "get",
        "/api/v1/handbook/pages/",
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    R(
        "api/v1/handbook/pages/",
        "post",
        "/api/v1/handbook/pages/",
        (401, 401, 400, 400, 400, 400, 400, 400, 403, 403),
        body={},
        what="create a page (empty body)",
    ),
    R(
        "api/v1/handbook/pages/<slug>/",
        "get",
        "/api/v1/handbook/pages/{public_page}/",
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        what="public page",
    ),
    R(
        "api/v1/handbook/pages/<slug>/",
        "get",
        "/api/v1/handbook/pages/{members_page}/",
        (404, 404, 200, 200, 200, 200, 200, 200, 404, 200),
        what="members' page",
    ),
    R(
        "api/v1/handbook/pages/<slug>/",
        "patch",
        "/api/v1/handbook/pages/{public_page}/",
        (401, 401, 400, 400, 400, 400, 400, 400, 403, 403),
        body={},
        what="edit (empty body)",
    ),
    R(
        "api/v1/handbook/pages/<slug>/diff/",
        "get",
        "/api/v1/handbook/pages/{public_page}/diff/",
        (401, 401, 400, 400, 400, 400, 400, 400, 400, 400),
    ),
    R(
        "api/v1/handbook/pages/<slug>/revert/",
        "post",
        "/api/v1/handbook/pages/{public_page}/revert/",
        (401, 401, 400, 400, 400, 400, 400, 400, 403, 403),
    ),
    R(
        "api/v1/handbook/pages/<slug>/reviewed/",
        "post",
        "/api/v1/handbook/pages/{members_page}/reviewed/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 403),
    ),
    R(
        "api/v1/handbook/pages/<slug>/revisions/",
        "get",
        "/api/v1/handbook/pages/{public_page}/revisions/",
        (401, 401, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    R(
        "api/v1/handbook/pages/<slug>/revisions/<revision_id>/",
        "get",
        "/api/v1/handbook/pages/{public_page}/revisions/{revision}/",
        (401, 401, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    R(
        "api/v1/handbook/meetings/",
        "get",
        "/api/v1/handbook/meetings/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/handbook/meetings/",
        "post",
        "/api/v1/handbook/meetings/",
        (401, 401, 201, 201, 201, 201, 201, 201, 403, 403),
        body={"title": "Autumn meeting", "date": "{today}"},
        what="record a meeting",
    ),
    R(
        "api/v1/handbook/meetings/<pk>/",
        "get",
        "/api/v1/handbook/meetings/{meeting}/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/handbook/meetings/<pk>/action-items/",
        "get",
        "/api/v1/handbook/meetings/{meeting}/action-items/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/handbook/meetings/<pk>/action-items/<item_id>/done/",
        "post",
        "/api/v1/handbook/meetings/{meeting}/action-items/{item}/done/",
        (401, 401, 200, 403, 200, 200, 200, 200, 403, 403),
        what="the owner, the meeting's creator (intake) and the record keepers",
    ),
    R(
        "api/v1/handbook/decisions/",
        "get",
        "/api/v1/handbook/decisions/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/handbook/decisions/",
        "post",
        "/api/v1/handbook/decisions/",
        (401, 401, 201, 201, 201, 201, 201, 201, 403, 403),
        body={"text": "Meet monthly", "rule": "consensus"},
        what="put a motion (voters and quorum set by the rules)",
    ),
    R(
        "api/v1/handbook/decisions/<pk>/",
        "get",
        "/api/v1/handbook/decisions/{decision}/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/handbook/decisions/<pk>/close/",
        "post",
        "/api/v1/handbook/decisions/{decision}/close/",
        (401, 401, 403, 403, 200, 200, 200, 200, 403, 403),
        what="its creator (intake) and the record keepers",
    ),
    R(
        "api/v1/handbook/decisions/<pk>/votes/",
        "post",
        "/api/v1/handbook/decisions/{decision}/votes/",
        (401, 401, 201, 201, 201, 403, 403, 403, 403, 403),
        body={"choice": "for"},
        what="the working members when it was opened",
    ),
    # --- API: the network
    R(
        "api/v1/consultants/",
        "get",
        "/api/v1/consultants/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/consultants/<pk>/",
        "get",
        "/api/v1/consultants/{lead}/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/consultants/<pk>/status/",
        "post",
        "/api/v1/consultants/{lead}/status/",
        (401, 401, 403, 403, 403, 400, 403, 400, 403, 403),
    ),
    R(
        "api/v1/consultants/<int:consultant_pk>/skills/",
        "get",
        "/api/v1/consultants/{consultant}/skills/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/consultants/<int:consultant_pk>/skills/<slug:skill_slug>/",
        "put",
        "/api/v1/consultants/{consultant}/skills/{own_skill_slug}/",
        (401, 401, 400, 403, 400, 400, 403, 400, 403, 403),
    ),
    R(
        "api/v1/consultants/<int:consultant_pk>/time-away/",
        "get",
        "/api/v1/consultants/{consultant}/time-away/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/consultants/<int:consultant_pk>/time-away/<int:pk>/",
        "put",
        "/api/v1/consultants/{consultant}/time-away/{own_away}/",
        (401, 401, 400, 403, 400, 400, 403, 400, 403, 403),
    ),
    R(
        "api/v1/skills/",
        "get",
        "/api/v1/skills/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/skills/<pk>/",
        "get",
        "/api/v1/skills/{skill}/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/groups/",
        "get",
        "/api/v1/groups/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/groups/<pk>/",
        "get",
        "/api/v1/groups/{group}/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/groups/<pk>/",
        "patch",
        "/api/v1/groups/{group}/",
        (401, 401, 403, 200, 200, 200, 403, 200, 403, 403),
        body={},
        what="edit (empty body)",
    ),
    R(
        "api/v1/external-professionals/",
        "get",
        "/api/v1/external-professionals/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "api/v1/external-professionals/<pk>/",
        "get",
        "/api/v1/external-professionals/{professional}/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    # --- Pages: public, sign-in, password reset
    R("", "get", "/", (200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    R("join/", "get", "/join/", (200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    R("join/thanks/", "get", "/join/thanks/", (200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    R(
        "accounts/login/",
        "get",
        "/accounts/login/",
        (200, 200, 302, 302, 302, 302, 302, 302, 302, 302),
    ),
    R(
        "accounts/logout/",
        "post",
        "/accounts/logout/",
        (302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ),
    R(
        "accounts/password-reset/",
        "get",
        "/accounts/password-reset/",
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    R(
        "accounts/password-reset/sent/",
        "get",
        "/accounts/password-reset/sent/",
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    R(
        "accounts/password-reset/<uidb64>/<token>/",
        "get",
        "/accounts/password-reset/MQ/not-a-token/",
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        what="a link that does not work",
    ),
    R(
        "accounts/password-reset/done/",
        "get",
        "/accounts/password-reset/done/",
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    # Anyone signed in changes their own password; the form names no other account.
    R(
        "accounts/password-change/",
        "get",
        "/accounts/password-change/",
        (L, L, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    R(
        "accounts/password-change/",
        "post",
        "/accounts/password-change/",
        (L, L, 200, 200, 200, 200, 200, 200, 200, 200),
        what="an empty form: the page again with its errors",
    ),
    R(
        "accounts/password-change/done/",
        "get",
        "/accounts/password-change/done/",
        (L, L, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    # --- Pages: intake
    R("request/", "get", "/request/", (200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    R(
        "request/thanks/",
        "get",
        "/request/thanks/",
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    R(
        "status/<str:token>/",
        "get",
        "/status/{token}/",
        (404, 200, 404, 404, 404, 404, 404, 404, 404, 404),
    ),
    R(
        "coordination/queue/",
        "get",
        "/coordination/queue/",
        (L, L, 403, 200, 200, 200, 403, 200, 403, 403),
    ),
    R(
        "coordination/requests/<int:pk>/",
        "get",
        "/coordination/requests/{request}/",
        (L, L, 200, 200, 200, 200, 403, 200, 403, 404),
    ),
    R(
        "coordination/requests/<int:pk>/transitions/<slug:action>/",
        "post",
        "/coordination/requests/{request}/transitions/complete/",
        (L, L, 403, 403, 409, 409, 403, 409, 403, 404),
        body={"complete-version": "{request_version}"},
    ),
    R(
        "coordination/requests/<int:pk>/skills/",
        "post",
        "/coordination/requests/{request}/skills/",
        (L, L, 403, 403, 409, 403, 403, 409, 403, 404),
        body={"skills-version": "{request_version}", "skills-add": "Grant writing"},
        what="intake coordinators only; 409: the request is engaged, no longer open",
    ),
    R(
        "coordination/metrics/",
        "get",
        "/coordination/metrics/",
        (L, L, 403, 200, 200, 200, 403, 200, 403, 403),
    ),
    R("my/offers/", "get", "/my/offers/", (L, L, 200, 200, 200, 403, 403, 403, 403, 200)),
    R("my/engagements/", "get", "/my/engagements/", (L, L, 200, 200, 200, 403, 403, 403, 403, 200)),
    # --- Pages: bids
    R("bids/board/", "get", "/bids/board/", (L, L, 200, 200, 200, 200, 403, 200, 403, 403)),
    R(
        "bids/board/<int:request_id>/volunteer/",
        "post",
        "/bids/board/{open_request}/volunteer/",
        (L, L, 302, 302, 302, 403, 403, 403, 403, 403),
    ),
    R(
        "bids/new/<int:request_id>/",
        "get",
        "/bids/new/{open_request}/",
        (L, L, 200, 200, 200, 200, 403, 200, 403, 403),
    ),
    R("bids/<int:pk>/", "get", "/bids/{bid}/", (L, L, 200, 200, 200, 200, 403, 200, 403, 403)),
    R(
        "bids/<int:pk>/invite/",
        "post",
        "/bids/{bid}/invite/",
        (L, L, 403, 403, 409, 409, 403, 409, 403, 403),
        body={
            "version": "{bid_version}",
            "consultant": "{outsider}",
            "role": "QA",
            "estimated_hours": "5",
        },
    ),
    R(
        "bids/<int:pk>/invite-team/",
        "post",
        "/bids/{bid}/invite-team/",
        (L, L, 403, 403, 409, 409, 403, 409, 403, 403),
        body={
            "version": "{bid_version}",
            "member": "{outsider}",
            "role": "QA",
            "estimated_hours": "5",
        },
    ),
    R(
        "bids/<int:pk>/accept/",
        "post",
        "/bids/{bid}/accept/",
        (L, L, 409, 403, 403, 403, 403, 403, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "bids/<int:pk>/decline/",
        "post",
        "/bids/{bid}/decline/",
        (L, L, 409, 403, 403, 403, 403, 403, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "bids/<int:pk>/member/",
        "post",
        "/bids/{bid}/member/",
        (L, L, 403, 403, 409, 409, 403, 409, 403, 403),
        body={
            "version": "{bid_version}",
            "consultant": "{consultant}",
            "role": "Data",
            "estimated_hours": "31",
        },
    ),
    R(
        "bids/<int:pk>/remove/",
        "post",
        "/bids/{bid}/remove/",
        (L, L, 403, 403, 409, 409, 403, 409, 403, 403),
        body={"version": "{bid_version}", "consultant": "{consultant}"},
    ),
    R(
        "bids/<int:pk>/terms/",
        "post",
        "/bids/{bid}/terms/",
        (L, L, 403, 403, 409, 409, 403, 409, 403, 403),
        body={
            "version": "{bid_version}",
            "price": "9500",
            "alliance_share_percent": "0",
            "split_mode": "equal_rate",
        },
    ),
    R(
        "bids/<int:pk>/send/",
        "post",
        "/bids/{bid}/send/",
        (L, L, 403, 403, 409, 409, 403, 409, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "bids/<int:pk>/sign/",
        "post",
        "/bids/{bid}/sign/",
        (L, L, 302, 403, 403, 403, 403, 403, 403, 403),
        body={"agreement_version": "{agreement}"},
    ),
    R(
        "bids/<int:pk>/withdraw/",
        "post",
        "/bids/{bid}/withdraw/",
        (L, L, 403, 403, 409, 409, 403, 409, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "bids/<int:pk>/submit/",
        "post",
        "/bids/{bid}/submit/",
        (L, L, 403, 403, 409, 403, 403, 409, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "bids/<int:pk>/decide/",
        "post",
        "/bids/{bid}/decide/",
        (L, L, 403, 403, 409, 403, 403, 409, 403, 403),
        body={"version": "{bid_version}", "outcome": "won"},
    ),
    R(
        "bids/<int:pk>/start-work/",
        "post",
        "/bids/{bid}/start-work/",
        (L, L, 403, 403, 409, 409, 403, 409, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "bids/<int:pk>/hours/",
        "post",
        "/bids/{bid}/hours/",
        (L, L, 302, 403, 403, 403, 403, 403, 403, 403),
        body={"date": "{yesterday}", "hours": "1"},
    ),
    R(
        "bids/<int:pk>/hours-delete/",
        "post",
        "/bids/{bid}/hours-delete/",
        (L, L, 302, 403, 403, 403, 403, 403, 403, 403),
        body={"entry": "{entry}"},
    ),
    R(
        "bids/<int:pk>/settle/",
        "post",
        "/bids/{bid}/settle/",
        (L, L, 403, 403, 302, 302, 403, 302, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "bids/<int:pk>/approve/",
        "post",
        "/bids/{bid}/approve/",
        (L, L, 409, 403, 403, 403, 403, 403, 403, 403),
        body={"version": "{bid_version}"},
    ),
    R(
        "bids/<int:pk>/approve-on-behalf/",
        "post",
        "/bids/{bid}/approve-on-behalf/",
        (L, L, 403, 403, 409, 409, 403, 409, 403, 403),
        body={"version": "{bid_version}", "consultant": "{consultant}", "reason": "On leave"},
        what="staff coordinators only; 409: no statement is out",
    ),
    R(
        "bids/<int:pk>/dispute/",
        "post",
        "/bids/{bid}/dispute/",
        (L, L, 409, 403, 403, 403, 403, 403, 403, 403),
        body={"version": "{bid_version}", "reason": "Wrong hours"},
    ),
    R("my/bids/", "get", "/my/bids/", (L, L, 200, 200, 200, 403, 403, 403, 403, 403)),
    # --- Pages: handbook
    R("handbook/", "get", "/handbook/", (200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    R("handbook/new/", "get", "/handbook/new/", (L, L, 200, 200, 200, 200, 200, 200, 403, 403)),
    R(
        "handbook/search/",
        "get",
        "/handbook/search/?q=work",
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    R(
        "handbook/export/",
        "get",
        "/handbook/export/",
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    R(
        "handbook/pages/<slug:slug>/",
        "get",
        "/handbook/pages/{public_page}/",
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        what="public page",
    ),
    R(
        "handbook/pages/<slug:slug>/",
        "get",
        "/handbook/pages/{members_page}/",
        (L, L, 200, 200, 200, 200, 200, 200, 404, 200),
        what="members' page",
    ),
    R(
        "handbook/pages/<slug:slug>/edit/",
        "get",
        "/handbook/pages/{public_page}/edit/",
        (L, L, 200, 200, 200, 200, 200, 200, 403, 403),
    ),
    R(
        "handbook/pages/<slug:slug>/history/",
        "get",
        "/handbook/pages/{public_page}/history/",
        (L, L, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    R(
        "handbook/pages/<slug:slug>/diff/",
        "get",
        "/handbook/pages/{public_page}/diff/",
        (L, L, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    R(
        "handbook/pages/<slug:slug>/revert/",
        "post",
        "/handbook/pages/{public_page}/revert/",
        (L, L, 400, 400, 400, 400, 400, 400, 403, 403),
    ),
    R(
        "handbook/pages/<slug:slug>/reviewed/",
        "post",
        "/handbook/pages/{members_page}/reviewed/",
        (L, L, 302, 302, 302, 302, 302, 302, 404, 403),
    ),
    R(
        "handbook/meetings/",
        "get",
        "/handbook/meetings/",
        (L, L, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "handbook/meetings/<int:pk>/",
        "get",
        "/handbook/meetings/{meeting}/",
        (L, L, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "handbook/meetings/<int:pk>/decisions/",
        "post",
        "/handbook/meetings/{meeting}/decisions/",
        (L, L, 403, 403, 400, 400, 400, 400, 403, 403),
        what="the meeting's creator (intake) and the record keepers",
    ),
    R(
        "handbook/meetings/<int:pk>/action-items/",
        "post",
        "/handbook/meetings/{meeting}/action-items/",
        (L, L, 403, 403, 400, 400, 400, 400, 403, 403),
        what="the meeting's creator (intake) and the record keepers",
    ),
    R(
        "handbook/action-items/<int:pk>/done/",
        "post",
        "/handbook/action-items/{item}/done/",
        (L, L, 302, 403, 302, 302, 302, 302, 403, 403),
        what="the owner, the meeting's creator (intake) and the record keepers",
    ),
    R(
        "handbook/decisions/",
        "get",
        "/handbook/decisions/",
        (L, L, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "handbook/decisions/<int:pk>/",
        "get",
        "/handbook/decisions/{decision}/",
        (L, L, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "handbook/decisions/<int:pk>/vote/",
        "post",
        "/handbook/decisions/{decision}/vote/",
        (L, L, 302, 302, 302, 403, 403, 403, 403, 403),
        body={"choice": "for"},
        what="the working members when it was opened",
    ),
    R(
        "handbook/decisions/<int:pk>/close/",
        "post",
        "/handbook/decisions/{decision}/close/",
        (L, L, 403, 403, 302, 302, 302, 302, 403, 403),
        what="its creator (intake) and the record keepers",
    ),
    # --- Pages: the directory and one's own profile
    R("members/", "get", "/members/", (L, L, 200, 200, 200, 200, 200, 200, 403, 200)),
    R(
        "members/<int:pk>/",
        "get",
        "/members/{lead}/",
        (L, L, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R("profile/", "get", "/profile/", (L, L, 200, 200, 200, 200, 200, 200, 403, 200)),
    R(
        "profile/skills/",
        "post",
        "/profile/skills/",
        (L, L, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "profile/skills/<int:skill_pk>/",
        "post",
        "/profile/skills/{own_skill}/",
        (L, L, 200, 404, 404, 200, 200, 200, 403, 404),
    ),
    R(
        "profile/skills/<int:skill_pk>/remove/",
        "post",
        "/profile/skills/{own_skill}/remove/",
        (L, L, 302, 404, 404, 200, 200, 200, 403, 404),
    ),
    R(
        "profile/time-away/",
        "post",
        "/profile/time-away/",
        (L, L, 200, 200, 200, 200, 200, 200, 403, 200),
    ),
    R(
        "profile/time-away/<int:pk>/delete/",
        "post",
        "/profile/time-away/{own_away}/delete/",
        (L, L, 302, 404, 404, 200, 200, 200, 403, 404),
    ),
]


# --- The URL patterns -----------------------------------------------------------------------

_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
# DefaultRouter adds a ``.json``-style twin of every route; it is the same view, so it folds into
# the plain route's key.
_FORMAT_SUFFIX = re.compile(r"\\\.\(\?P<format>\[a-z0-9\]\+\)/\?")


def _normalise(pattern: str) -> str:
    """``api/v1/^bids/(?P<pk>[0-9]+)/$`` → ``api/v1/bids/<pk>/``; path() routes unchanged."""
    pattern = pattern.replace("<drf_format_suffix:format>", "")
    pattern = _FORMAT_SUFFIX.sub("/", pattern)
    pattern = _GROUP.sub(r"<\1>", pattern)
    return pattern.replace("^", "").replace("$", "")


def url_patterns(patterns=None, prefix: str = "") -> set[str]:
    """Every route of the project, as normalised pattern strings."""
    found = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(EXCLUDED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            found |= url_patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            found.add(_normalise(route))
    return found


# --- The world ------------------------------------------------------------------------------


def _member(**fields) -> Consultant:
    return ConsultantFactory(status=Consultant.Status.ACTIVE, **fields)


def _stale_coordinator(name: str, status: str) -> Consultant:
    coordinator = _member(display_name=name)
    ConsultantGroupFactory(coordinator=coordinator)
    Consultant.objects.filter(pk=coordinator.pk).update(status=status)
    coordinator.refresh_from_db()
    return coordinator


def _build_world() -> dict:
    """Real objects for every placeholder, made through the services where there are some."""
    network_services.languages_ensure()
    adapter.forget_index()

    consultant = _member(display_name="Team Member")
    lead = _member(display_name="Bid Lead")
    outsider = _member(display_name="Not On The Team")
    group_coordinator = _member(display_name="Group Coordinator")
    group = ConsultantGroupFactory(coordinator=group_coordinator)
    group.members.add(group_coordinator, consultant, lead)
    intake = _member(display_name="Intake Coordinator")
    network_services.user_grant_role(user=intake.user, role=Role.INTAKE_COORDINATOR)
    community = UserFactory()
    network_services.user_grant_role(user=community, role=Role.COMMUNITY_COORDINATOR)
    secretary = UserFactory()
    network_services.user_grant_role(user=secretary, role=Role.SECRETARY)
    admin = UserFactory(is_staff=True, is_superuser=True)
    # Coordinators who stopped working: their groups still name them (records from before a
    # status change ended the role, or written around the services), so the rules themselves
    # must look at their status. Both also sit in the request's group and on its bid's board.
    former_coordinator = _stale_coordinator("Former Coordinator", Consultant.Status.FORMER)
    alumni_coordinator = _stale_coordinator("Alumni Coordinator", Consultant.Status.ALUMNI)
    group.members.add(former_coordinator, alumni_coordinator)

    own_skill = ConsultantSkillFactory(consultant=consultant).skill
    own_away = TimeAwayFactory(consultant=consultant)

    # The client's request: submitted, contacted, triaged, routed to the group, open for bids.
    submission = intake_services.request_submit(
        organization_name="Eastside Food Bank",
        contact_name="Client Contact",
        contact_email="contact@eastside.example.org",
        title="A new donor database",
        description="Our donor records live in three spreadsheets.",
        skills=["CiviCRM"],
        budget_max=Decimal("12000"),
        estimated_hours=90,
    )
    request = submission.request
    for action, fields in (
        ("contact", {}),
        ("triage", {}),
        ("route", {"group": group.pk}),
        ("start_bidding", {}),
    ):
        request_apply(
            request_id=request.pk, action=action, actor=intake.user, version=None, **fields
        )

    # A second request, open for bids with no bid yet: the board's and "start a bid" routes.
    open_request = intake_services.request_submit(
        organization_name="Westside Arts Collective",
        contact_name="Second Contact",
        contact_email="contact@westside.example.org",
        title="An accessible website",
        description="Our site fails screen readers.",
        skills=["Web accessibility"],
    ).request
    for action in ("contact", "triage", "start_bidding"):
        request_apply(request_id=open_request.pk, action=action, actor=intake.user, version=None)

    # A team bid carried to work in progress, with an hour logged by the team member.
    bid = bid_at_work(request=request, lead=lead, member=consultant, coordinator=intake.user)
    entry = bids.hours_log(
        bid_id=bid.pk,
        actor=consultant.user,
        date=timezone.localdate() - datetime.timedelta(days=1),
        hours="3",
    )

    # The handbook: a public page, a members-only page, a meeting with an action item, and a
    # decision open for the members' votes.
    public_page = handbook_services.page_create(
        actor=intake.user,
        title="How we work",
        body="We match nonprofits with members.",
        visibility=Page.Visibility.PUBLIC,
    )
    members_page = handbook_services.page_create(
        actor=intake.user,
        title="Rates and shares",
        body="The alliance keeps a share of each bid.",
        visibility=Page.Visibility.MEMBERS,
    )
    meeting = handbook_services.meeting_create(
        actor=intake.user,
        title="Spring meeting",
        date=timezone.localdate(),
        attendees=[consultant.pk, lead.pk, intake.pk],
    )
    item = handbook_services.action_item_create(
        actor=intake.user,
        meeting_id=meeting.pk,
        text="Write the onboarding guide",
        owner=consultant,
        due=timezone.localdate() + datetime.timedelta(days=14),
    )
    decision = handbook_services.decision_create(
        actor=intake.user,
        text="Adopt the rates page",
        rule=Decision.Rule.SIMPLE_MAJORITY,
        meeting=meeting,
    )

    return {
        "users": {
            "anonymous": None,
            "client": None,
            "consultant": consultant.user,
            "group_coordinator": group_coordinator.user,
            "intake_coordinator": intake.user,
            "community_coordinator": community,
            "secretary": secretary,
            "admin": admin,
            "former_coordinator": former_coordinator.user,
            "alumni_coordinator": alumni_coordinator.user,
        },
        "token": submission.status_token,
        "names": {
            "request": request.pk,
            "open_request": open_request.pk,
            "bid": bid.pk,
            "entry": entry.pk,
            "bid_version": Bid.objects.get(pk=bid.pk).version,
            "agreement": bids.current_agreement(bid).number,
            "request_version": Request.objects.get(pk=request.pk).version,
            "outsider": outsider.pk,
            "today": timezone.localdate().isoformat(),
            "yesterday": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "consultant": consultant.pk,
            "lead": lead.pk,
            "own_skill": own_skill.pk,
            "own_skill_slug": own_skill.slug,
            "own_away": own_away.pk,
            "group": group.pk,
            "skill": SkillFactory().pk,
            "professional": ExternalProfessionalFactory().pk,
            "public_page": public_page.slug,
            "members_page": members_page.slug,
            "revision": public_page.latest_revision_id,
            "meeting": meeting.pk,
            "item": item.pk,
            "decision": decision.pk,
        },
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module (and per xdist worker) inside a transaction that is rolled back at
    the end, so nothing leaks into other modules' tests; each test's own ``db`` savepoint
    undoes whatever its request changed."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            adapter.forget_index()


def _fill(value, names):
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, names) for item in value]
    return value


def _cells():
    for row in ROWS:
        for actor, code in zip(ACTORS, row.codes, strict=True):
            label = f"{row.method.upper()} {row.pattern}{' ' + row.what if row.what else ''}"
            yield pytest.param(row, actor, code, id=f"{label} as {actor}")


def request_as(world, actor: str, row: Row):
    client = Client()
    user = world["users"][actor]
    if user is not None:
        client.force_login(user, backend=BACKEND)
    token = world["token"] if actor == "client" else UNKNOWN_TOKEN
    names = {**world["names"], "token": token}
    path = _fill(row.path, names)
    body = _fill(row.body, names)
    send = getattr(client, row.method)
    if row.path.startswith("/api/"):
        if row.method == "get":
            return send(path)
        return send(path, body or {}, content_type="application/json")
    if row.method == "get":
        return send(path)
    if row.method == "post":
        return send(path, body or {})
    return send(path)


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "actor", "expected"), list(_cells()))
def test_access_matrix(world, row, actor, expected):
    # The submission throttle counts per address in the cache; every cell starts afresh.
    cache.clear()

    response = request_as(world, actor, row)

    if expected == LOGIN:
        assert response.status_code == 302, response.content[:300]
        assert response["Location"].startswith(reverse("login") + "?next="), response["Location"]
    else:
        assert response.status_code == expected, response.content[:300]


def test_every_url_has_a_row():
    """A route without a row (or a row for a route that is gone) fails here."""
    in_table = {row.pattern for row in ROWS}
    routes = url_patterns()

    assert sorted(routes - in_table) == [], "routes without a row in ROWS"
    assert sorted(in_table - routes) == [], "rows for routes that do not exist"
