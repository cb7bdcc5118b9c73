"""Every row of the access matrix, from every app's module: what ``test_every_url_has_a_row``
compares with the project's routes."""

from tests.access.rows import bids, handbook, intake, matching, network

ROWS = [*network.ROWS, *intake.ROWS, *bids.ROWS, *handbook.ROWS, *matching.ROWS]
