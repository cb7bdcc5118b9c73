"""The access matrix's rows for the matching engine's API routes.

One row per route and method, one status code per actor (``ACTORS`` in tests/access/matrix.py;
``L`` is the redirect to the sign-in page)."""

from tests.access.matrix import R

ROWS = [
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
    # Open to everyone: a monitor has no account; it says versions and times, nothing more.
    R(
        "api/v1/health/",
        "get",
        "/api/v1/health/",
        (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
]
