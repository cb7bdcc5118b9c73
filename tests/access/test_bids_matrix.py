"""The access matrix for the bids app's routes: each cell of ``rows/bids.py``,
one request by one actor, answers the exact status code."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.access.matrix import LOGIN, cells, request_as
from tests.access.rows.bids import ROWS


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "actor", "expected"), list(cells(ROWS)))
def test_access_matrix(world, row, actor, expected):
    # The submission throttle counts per address in the cache; every cell starts afresh.
    cache.clear()

    response = request_as(world, actor, row)

    if expected == LOGIN:
        assert response.status_code == 302, response.content[:300]
        assert response["Location"].startswith(reverse("login") + "?next="), response["Location"]
    else:
        assert response.status_code == expected, response.content[:300]
