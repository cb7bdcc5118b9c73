"""The access matrix's rows for intake's routes: requests, in the API and the pages.

One row per route and method, one status code per actor (``ACTORS`` in tests/access/matrix.py;
``L`` is the redirect to the sign-in page)."""

from tests.access.matrix import L, R

ROWS = [
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
        "api/v1/requests/<pk>/transitions/",
        "post",
        "/api/v1/requests/{request}/transitions/",
        (401, 401, 403, 403, 403, 403, 403, 403, 403, 404),
        body={"action": "report_done", "version": "{request_version}"},
        what="report_done: the engaged member only (here the team's lead, no actor)",
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
        (L, L, 403, 403, 303, 303, 403, 303, 403, 404),
        body={"complete-version": "{request_version}", "complete-confirm": "on"},
        what="confirmed; 303: refused (a team bid completes by its settlement), back to the "
        "request's page",
    ),
    R(
        "coordination/requests/<int:pk>/transitions/<slug:action>/",
        "post",
        "/coordination/requests/{request}/transitions/complete/",
        (L, L, 400, 400, 400, 400, 403, 400, 403, 404),
        body={"complete-version": "{request_version}"},
        what="not confirmed: a form error (400) for all who see the request",
    ),
    R(
        "coordination/requests/<int:pk>/transitions/<slug:action>/",
        "post",
        "/coordination/requests/{request}/transitions/report_done/",
        (L, L, 403, 403, 403, 403, 403, 403, 403, 404),
        body={"report_done-version": "{request_version}"},
        what="report_done: the engaged member only (here the team's lead, no actor)",
    ),
    R(
        "coordination/requests/<int:pk>/skills/",
        "post",
        "/coordination/requests/{request}/skills/",
        (L, L, 403, 403, 303, 403, 403, 303, 403, 404),
        body={"skills-version": "{request_version}", "skills-add": "Grant writing"},
        what="intake coordinators only; 303: refused (the request is engaged, no longer "
        "open), back to the request's page",
    ),
    R(
        "coordination/metrics/",
        "get",
        "/coordination/metrics/",
        (L, L, 403, 200, 200, 200, 403, 200, 403, 403),
    ),
    R("my/offers/", "get", "/my/offers/", (L, L, 200, 200, 200, 403, 403, 403, 403, 200)),
    R("my/engagements/", "get", "/my/engagements/", (L, L, 200, 200, 200, 403, 403, 403, 403, 200)),
    # --- Cover while a member is away: working members for their own engagements (the page),
    # intake coordinators for any (the API)
    R(
        "my/engagements/cover/",
        "get",
        "/my/engagements/cover/",
        (L, L, 200, 200, 200, 403, 403, 403, 403, 403),
    ),
    R(
        "my/engagements/cover/",
        "post",
        "/my/engagements/cover/",
        (L, L, 400, 400, 400, 403, 403, 403, 403, 403),
        body={},
        what="no engagement named",
    ),
    R(
        "coordination/requests/<int:pk>/cover/",
        "post",
        "/coordination/requests/{request}/cover/",
        (L, L, 403, 403, 409, 403, 403, 409, 403, 404),
        body={},
        what="409: the engaged member (the team's lead) is not away",
    ),
    # Free service days: the metrics page's figures, for coordinators as the page.
    R(
        "api/v1/free-service-days/",
        "get",
        "/api/v1/free-service-days/",
        (401, 401, 403, 200, 200, 200, 403, 200, 403, 403),
    ),
    R(
        "api/v1/engagements/cover/",
        "get",
        "/api/v1/engagements/cover/",
        (401, 401, 200, 200, 200, 403, 403, 200, 403, 403),
    ),
    R(
        "api/v1/engagements/<int:pk>/cover/",
        "get",
        "/api/v1/engagements/{engagement}/cover/",
        (401, 401, 200, 404, 200, 403, 403, 200, 403, 403),
    ),
    R(
        "api/v1/engagements/<int:pk>/cover/",
        "post",
        "/api/v1/engagements/{engagement}/cover/",
        (401, 401, 400, 404, 400, 403, 403, 400, 403, 403),
        body={"covering": "{consultant}", "version": 0},
        what="the consultant themselves: refused (400) for those who may name the cover",
    ),
]
