"""Every route of the project has a row in the access matrix (tests/access/rows/), and every
row names a route that exists."""

from tests.access.matrix import url_patterns
from tests.access.rows import ROWS


def test_every_url_has_a_row():
    """A route without a row (or a row for a route that is gone) fails here."""
    in_table = {row.pattern for row in ROWS}
    routes = url_patterns()

    assert sorted(routes - in_table) == [], "routes without a row in ROWS"
    assert sorted(in_table - routes) == [], "rows for routes that do not exist"
