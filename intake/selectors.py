"""Read-side helpers of intake: a saved request as the matching engine sees it, and its answer.

Pages, forms and API views read through these; nothing here writes.
"""

from collections import defaultdict
from collections.abc import Iterable

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


# The language links of a page of requests, by the page's ids (compiled once per page length).
_PAGE_LANGUAGES = FixedQuery(
    lambda ids: (
        Request.languages.through.objects.filter(request_id__in=ids)
        .order_by()
        .values_list("request_id", "language_id")
    ),
    [-1],
)


def with_language_codes(requests: Iterable[Request]) -> list[Request]:
    """``requests`` with ``language_codes``, each one's language codes sorted, read in one
    query for them all: what the API's rows and detail show (the code is the language's key,
    so the languages themselves are not read)."""
    requests = list(requests)
    codes = defaultdict(list)
    for request_id, code in _PAGE_LANGUAGES.rows([request.pk for request in requests]):
        codes[request_id].append(code)
    for request in requests:
        request.language_codes = sorted(codes[request.pk])
    return requests


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
