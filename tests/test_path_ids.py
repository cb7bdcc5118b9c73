"""Every route with a number in its path (pages and API) answers numbers no row can have with
a 4xx, never a 500.

Routes match any run of digits. SQLite's driver raises OverflowError for an integer beyond 8
bytes: Django turns an exact look-up on a primary key into "no rows", but a filter on a foreign
key's column hands the number to the driver as it is. Here every number in a path is out of
range, so the first look-up of each view is tried; a number that reaches the database only after
a real parent row was found (a meeting's action item, a bid's member: found by `make fuzz`) is
tested beside its endpoint (tests/handbook/test_api_meetings.py, tests/intake/test_api_bids.py).
"""

import re

import pytest
from django.test import Client

from network.serializers import MAX_ROW_ID
from tests.factories import UserFactory
from tests.helpers import url_routes

pytestmark = pytest.mark.django_db

TOO_BIG = MAX_ROW_ID + 1
# A path converter (<int:pk>) or a router's or re_path's group of digits ((?P<pk>[0-9]+)).
NUMBER = re.compile(r"<int:\w+>|\(\?P<\w+>\[0-9\]\+\)")
OTHER_PARAMETER = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)")


def _paths_with_numbers() -> list[str]:
    """Each route with a number in it, every number TOO_BIG, any other parameter "x"."""
    paths = set()
    for route, _pattern in url_routes():
        if not NUMBER.search(route) or "format" in route:
            continue
        path = NUMBER.sub(str(TOO_BIG), route)
        path = OTHER_PARAMETER.sub("x", path)
        path = path.replace("^", "").replace("$", "").replace("\\", "")
        paths.add("/" + path.lstrip("/"))
    return sorted(paths)


PATHS = _paths_with_numbers()


def test_the_walk_finds_the_routes_with_numbers():
    assert len(PATHS) > 40
    assert f"/api/v1/handbook/meetings/{TOO_BIG}/action-items/{TOO_BIG}/done/" in PATHS
    assert f"/coordination/requests/{TOO_BIG}/" in PATHS


@pytest.mark.parametrize("path", PATHS)
def test_a_number_no_row_can_have_is_not_a_server_error(path):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    for method in ("get", "post", "patch", "delete"):
        response = getattr(client, method)(path, {}, content_type="application/json")
        assert response.status_code < 500, (method, path, response.status_code)
