"""The access matrix's rows for the network's routes: the API's schema, root, token and members;
the public, account, directory and profile pages.

One row per route and method, one status code per actor (``ACTORS`` in tests/access/matrix.py;
``L`` is the redirect to the sign-in page)."""

from tests.access.matrix import L, R

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
    # --- API: the out-of-hours rota (as its pages: rows above the directory's)
    R(
        "api/v1/rota/weeks/",
        "get",
        "/api/v1/rota/weeks/",
        (401, 401, 200, 200, 200, 200, 200, 200, 403, 403),
    ),
    R(
        "api/v1/rota/opt-in/",
        "post",
        "/api/v1/rota/opt-in/",
        (401, 401, 400, 400, 400, 403, 403, 403, 403, 403),
    ),
    R(
        "api/v1/rota/swaps/",
        "post",
        "/api/v1/rota/swaps/",
        (401, 401, 400, 400, 400, 403, 403, 403, 403, 403),
    ),
    R(
        "api/v1/rota/swaps/<int:pk>/answer/",
        "post",
        "/api/v1/rota/swaps/0/answer/",
        (401, 401, 404, 404, 404, 403, 403, 403, 403, 403),
        what="no such swap",
    ),
    # --- API: free service days pledged. Working members read and set their own; staff
    # coordinators read every pledge; nobody else either.
    R(
        "api/v1/pledges/",
        "get",
        "/api/v1/pledges/",
        (401, 401, 200, 200, 200, 200, 403, 200, 403, 403),
    ),
    R(
        "api/v1/pledges/",
        "post",
        "/api/v1/pledges/",
        (401, 401, 400, 400, 400, 403, 403, 403, 403, 403),
        body={},
        what="no days named",
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
    # The footer's language switcher: anyone may choose a language (a redirect back); a GET
    # changes nothing and is refused.
    R(
        "language/",
        "post",
        "/language/",
        (302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
        body={"language": "fr", "next": "/"},
    ),
    R("language/", "get", "/language/", (405, 405, 405, 405, 405, 405, 405, 405, 405, 405)),
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
    # --- Pages: the desk, where sign-in lands. Everyone signed in has one; a member who stopped
    # working (the former and alumni coordinators) gets no member or coordinator panel on it
    # (tests/network/test_desk.py).
    R("desk/", "get", "/desk/", (L, L, 200, 200, 200, 200, 200, 200, 200, 200)),
    # --- Pages: the out-of-hours rota. Read by working members and role holders; changed by
    # working members only (a role holder without a member record takes no duty). Alumni and
    # former members neither read nor change it: they take no duty.
    R("rota/", "get", "/rota/", (L, L, 200, 200, 200, 200, 200, 200, 403, 403)),
    R("rota.ics", "get", "/rota.ics", (L, L, 200, 200, 200, 200, 200, 200, 403, 403)),
    R("rota/opt-in/", "post", "/rota/opt-in/", (L, L, 400, 400, 400, 403, 403, 403, 403, 403)),
    R("rota/swaps/", "post", "/rota/swaps/", (L, L, 400, 400, 400, 403, 403, 403, 403, 403)),
    R(
        "rota/swaps/<int:pk>/answer/",
        "post",
        "/rota/swaps/0/answer/",
        (L, L, 404, 404, 404, 403, 403, 403, 403, 403),
        what="no such swap",
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
