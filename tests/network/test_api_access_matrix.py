"""Who may do what in the network API: every endpoint and method against every role.

Each cell is the exact status code. A call without credentials is refused with 401 (the token
authentication comes first and sends its challenge), a signed-in user who may not do it with
403, and 404 when the object is not one the user may see.
"""

import pytest

from network import access
from network.models import Consultant, ConsultantGroup
from tests.factories import (
    ConsultantFactory,
    ConsultantSkillFactory,
    ExternalProfessionalFactory,
    SkillFactory,
    TimeAwayFactory,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "applicant",  # signed in, but not (yet) a member
    "member",
    "group_coordinator",
    "intake_coordinator",
    "community_coordinator",
    "admin",
)
N = None  # not applicable: anonymous users, community coordinators and admins have no profile

V1 = "/api/v1"
AWAY = {"start": "2031-06-01", "end": "2031-06-02"}

# (what, method, path, body, codes in the order of ROLES)
MATRIX = [
    # --- consultants
    ("list members", "get", "/consultants/", None, (401, 403, 200, 200, 200, 200, 200)),
    ("read a member", "get", "/consultants/{other}/", None, (401, 403, 200, 200, 200, 200, 200)),
    (
        "read an applicant",
        "get",
        "/consultants/{applicant}/",
        None,
        (401, 403, 404, 200, 200, 200, 200),
    ),
    (
        "open a member record",
        "post",
        "/consultants/",
        {"email": "opened@members.test", "display_name": "Opened"},
        (401, 403, 403, 403, 201, 201, 201),
    ),
    (
        "edit own profile",
        "patch",
        "/consultants/{own}/",
        {"bio": "Updated."},
        (N, 403, 200, 200, 200, N, N),
    ),
    (
        "edit someone else's profile",
        "patch",
        "/consultants/{other}/",
        {"bio": "Updated."},
        (401, 403, 403, 403, 200, 200, 200),
    ),
    (
        "replace someone else's profile",
        "put",
        "/consultants/{other}/",
        {"display_name": "Replaced"},
        (401, 403, 403, 403, 200, 200, 200),
    ),
    (
        "change own status",
        "post",
        "/consultants/{own}/status/",
        {"status": "alumni"},
        (N, 403, 403, 403, 403, N, N),
    ),
    (
        "change someone else's status",
        "post",
        "/consultants/{other}/status/",
        {"status": "on_leave", "reason": "Sabbatical"},
        (401, 403, 403, 403, 403, 200, 200),
    ),
    (
        "list a member's skills",
        "get",
        "/consultants/{other}/skills/",
        None,
        (401, 403, 200, 200, 200, 200, 200),
    ),
    (
        "add a skill to own profile",
        "post",
        "/consultants/{own}/skills/",
        {"skill": "{spare_skill}", "level": 3},
        (N, 403, 201, 201, 201, N, N),
    ),
    (
        "add a skill to someone else's profile",
        "post",
        "/consultants/{other}/skills/",
        {"skill": "{spare_skill}", "level": 3},
        (401, 403, 403, 403, 201, 201, 201),
    ),
    (
        "set the level of someone else's skill",
        "put",
        "/consultants/{other}/skills/{other_skill}/",
        {"level": 4},
        (401, 403, 403, 403, 200, 200, 200),
    ),
    (
        "remove someone else's skill",
        "delete",
        "/consultants/{other}/skills/{other_skill}/",
        None,
        (401, 403, 403, 403, 204, 204, 204),
    ),
    (
        "list a member's time away",
        "get",
        "/consultants/{other}/time-away/",
        None,
        (401, 403, 200, 200, 200, 200, 200),
    ),
    (
        "record own time away",
        "post",
        "/consultants/{own}/time-away/",
        AWAY,
        (N, 403, 201, 201, 201, N, N),
    ),
    (
        "record someone else's time away",
        "post",
        "/consultants/{other}/time-away/",
        AWAY,
        (401, 403, 403, 403, 201, 201, 201),
    ),
    (
        "change someone else's time away",
        "put",
        "/consultants/{other}/time-away/{other_away}/",
        AWAY,
        (401, 403, 403, 403, 200, 200, 200),
    ),
    (
        "remove someone else's time away",
        "delete",
        "/consultants/{other}/time-away/{other_away}/",
        None,
        (401, 403, 403, 403, 204, 204, 204),
    ),
    # --- skills
    ("list skills", "get", "/skills/", None, (401, 403, 200, 200, 200, 200, 200)),
    ("read a skill", "get", "/skills/{skill}/", None, (401, 403, 200, 200, 200, 200, 200)),
    (
        "add a skill",
        "post",
        "/skills/",
        {"name": "Brand new skill"},
        (401, 403, 403, 403, 201, 201, 201),
    ),
    (
        "change a skill",
        "patch",
        "/skills/{skill}/",
        {"description": "Changed."},
        (401, 403, 403, 403, 200, 200, 200),
    ),
    ("remove a skill", "delete", "/skills/{skill}/", None, (401, 403, 403, 403, 204, 204, 204)),
    # --- groups ({group} is the one the group coordinator coordinates)
    ("list groups", "get", "/groups/", None, (401, 403, 200, 200, 200, 200, 200)),
    ("read a group", "get", "/groups/{group}/", None, (401, 403, 200, 200, 200, 200, 200)),
    (
        "form a group",
        "post",
        "/groups/",
        {"name": "Brand new group"},
        (401, 403, 403, 403, 201, 201, 201),
    ),
    (
        "edit a group",
        "patch",
        "/groups/{group}/",
        {"description": "Changed."},
        (401, 403, 403, 200, 200, 200, 200),
    ),
    ("dissolve a group", "delete", "/groups/{group}/", None, (401, 403, 403, 403, 204, 204, 204)),
    # --- outside professionals: changed by intake coordinators only
    (
        "list outside professionals",
        "get",
        "/external-professionals/",
        None,
        (401, 403, 200, 200, 200, 200, 200),
    ),
    (
        "read an outside professional",
        "get",
        "/external-professionals/{professional}/",
        None,
        (401, 403, 200, 200, 200, 200, 200),
    ),
    (
        "add an outside professional",
        "post",
        "/external-professionals/",
        {"name": "Outside help"},
        (401, 403, 403, 403, 201, 403, 201),
    ),
    (
        "change an outside professional",
        "patch",
        "/external-professionals/{professional}/",
        {"notes": "Changed."},
        (401, 403, 403, 403, 200, 403, 200),
    ),
    (
        "remove an outside professional",
        "delete",
        "/external-professionals/{professional}/",
        None,
        (401, 403, 403, 403, 204, 403, 204),
    ),
]


def _cells():
    for what, method, path, body, codes in MATRIX:
        for role, code in zip(ROLES, codes, strict=True):
            if code is not None:
                yield pytest.param(method, path, body, role, code, id=f"{what} as {role}")


@pytest.fixture
def world(db, other_member, group_coordinator):
    """The objects the paths point at, identical for every role."""
    other = other_member.consultant
    return {
        "other": other.pk,
        "other_skill": ConsultantSkillFactory(consultant=other).skill.slug,
        "other_away": TimeAwayFactory(consultant=other).pk,
        "applicant": ConsultantFactory(status=Consultant.Status.APPLICANT).pk,
        "skill": SkillFactory().pk,  # on nobody's profile, so it may be removed
        "spare_skill": SkillFactory().slug,
        "group": ConsultantGroup.objects.get(coordinator__user=group_coordinator).pk,
        "professional": ExternalProfessionalFactory().pk,
    }


def _actor(request, role):
    if role == "anonymous":
        return None
    if role == "applicant":
        return ConsultantFactory(status=Consultant.Status.APPLICANT).user
    return request.getfixturevalue(role)


def _fill(value, names):
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    return value


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), list(_cells()))
def test_access_matrix(request, api_as, world, method, path, body, role, expected):
    actor = _actor(request, role)
    own = access.consultant_of(actor) if actor is not None else None
    names = {**world, "own": own.pk if own else "none"}
    client = api_as(actor)

    response = getattr(client, method)(
        V1 + _fill(path, names), _fill(body, names) if body else None, format="json"
    )

    assert response.status_code == expected, response.content
