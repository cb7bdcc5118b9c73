"""Read-side helpers of intake: a saved request as the matching engine sees it, and its answer.

Pages, forms and API views read through these; nothing here writes.
"""

from intake.models import Request
from matching import adapter
from matching.types import MatchResult, RequestProfile
from network.db import FixedQuery

# A saved request's language codes, in the languages' order (by name), as
# ``request.languages.all()`` gives them: every match call reads them, so the query is compiled
# once (network.db.FixedQuery).
_LANGUAGE_CODES = FixedQuery(
    lambda request_id: (
        Request.languages.through.objects.filter(request_id=request_id)
        .order_by("language__name", "language_id")
        .values_list("language_id")
    ),
    -1,
)


def _language_codes(client_request: Request) -> list[str]:
    prefetched = getattr(client_request, "_prefetched_objects_cache", {}).get("languages")
    if prefetched is not None:
        return [language.code for language in prefetched]
    return [code for (code,) in _LANGUAGE_CODES.rows(client_request.pk)]


def request_profile_for(client_request: Request) -> RequestProfile:
    """A saved request as the engine's ``RequestProfile`` (one query for its languages unless
    they were prefetched)."""
    return adapter.request_profile(
        title=client_request.title,
        description=client_request.description,
        skills=client_request.skills or [],
        budget_max=client_request.budget_max,
        estimated_hours=client_request.estimated_hours,
        pro_bono=client_request.pro_bono,
        remote_ok=client_request.remote_ok,
        location=client_request.location,
        languages=_language_codes(client_request),
        desired_start=client_request.desired_start,
        organization_id=client_request.organization_id,
        confirmed_skills=client_request.confirmed_skills or [],
        dismissed_skills=client_request.dismissed_skills or [],
    )


def request_matches(client_request: Request, *, limit: int | None = None) -> MatchResult:
    """The engine's answer for a saved request, with the weights and limits in settings.

    Kept on the request object for its version, so the page's Skills section, triage form and
    suggestions panel rank the request once.
    """
    key = (client_request.version, limit)
    cached = getattr(client_request, "_match_result", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    result = adapter.match(request_profile_for(client_request), limit=limit)
    client_request._match_result = (key, result)
    return result


def skill_suggestions(client_request: Request) -> list[str]:
    """The canonical skills recognised in the request's description that are neither named,
    confirmed nor dismissed, in the order the description mentions them."""
    return [match.skill for match in request_matches(client_request).mentioned_skills]
