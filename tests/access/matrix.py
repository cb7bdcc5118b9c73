"""Who may open what, across the whole site: every URL pattern (pages and API) against every
actor, each cell the exact status code.

The rows are keyed by URL pattern, one module of rows per app (``tests/access/rows/``, each
checked by its ``test_<app>_matrix.py``); ``test_every_url_has_a_row`` (``test_routes.py``) walks
the resolver and fails when a route has no row in any of them, so a new URL cannot ship without
its access decision written down.
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

The world is built once per test module (see ``world`` in conftest.py) and each test runs in a
savepoint inside it, so a write that goes through is rolled back before the next cell.
"""

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

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


# --- The cells ------------------------------------------------------------------------------


def _fill(value, names):
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, names) for item in value]
    return value


def cells(rows):
    for row in rows:
        for actor, code in zip(ACTORS, row.codes, strict=True):
            label = f"{row.method.upper()} {row.pattern}{' ' + row.what if row.what else ''}"
            yield pytest.param(row, actor, code, id=f"{label} as {actor}")


def request_as(world, actor: str, row: Row, language: str | None = None):
    """``row``'s request by ``actor``; with ``language``, as a visitor who chose that language in
    the footer's switcher (its cookie)."""
    client = Client()
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
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
