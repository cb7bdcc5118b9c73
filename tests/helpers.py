"""Small helpers shared by test modules."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, address: str) -> int:
    """How many queries a GET of ``address`` costs; the page must answer 200."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(captured)
