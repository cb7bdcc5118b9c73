"""Every error under /api/ is JSON, ``{"detail": "…"}`` like DRF's own; pages keep their HTML.

Two kinds of error never reach DRF's handling as it comes:

- Django's refusals of a body it will not read (``RequestDataTooBig`` beyond
  ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many fields or files). They are raised inside the view,
  when DRF first reads the body, but they are not DRF's exceptions, so they went on to Django's
  HTML 400 page. ``exception_handler`` (DRF's ``EXCEPTION_HANDLER``) answers them as a 400 with
  a message, as the handbook's views already did for a body too large.
- Errors outside any API view: an address no route matches (404), an exception that escapes a
  view (500), a refusal raised by a middleware (400, 403), a CSRF failure. Django answers these
  with the project's error handlers (``handler400`` … in ``network.urls``) and the
  ``CSRF_FAILURE_VIEW``; the ones here answer JSON under /api/ and Django's pages elsewhere.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.views import csrf, defaults
from rest_framework.exceptions import ParseError
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"

NOT_FOUND = "No API operation at this address; the operations are listed at /api/docs/."
SERVER_ERROR = "Something went wrong on the server; the error is logged. Try again later."
BAD_REQUEST = "The request could not be read."
FORBIDDEN = "You do not have permission to perform this action."


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def refused_body_detail(exception) -> str | None:
    """What to tell a client whose body Django refused to read, or None for other errors."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return f"The request body is larger than {limit:,} bytes, the most the API reads."
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return f"The request has more than {limit:,} fields, the most the API reads."
    if isinstance(exception, TooManyFilesSent):
        return "The request has more file parts than the API reads; it takes no files."
    return None


def exception_handler(exc, context):
    """DRF's exception handler, with Django's refusals of a body answered as a 400."""
    detail = refused_body_detail(exc)
    if detail is not None:
        exc = ParseError(detail)
    return drf_exception_handler(exc, context)


def _json_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def bad_request(request, exception):
    if not is_api_request(request):
        return defaults.bad_request(request, exception)
    return _json_error(refused_body_detail(exception) or BAD_REQUEST, 400)


def permission_denied(request, exception):
    if not is_api_request(request):
        return defaults.permission_denied(request, exception)
    return _json_error(FORBIDDEN, 403)


def page_not_found(request, exception):
    if not is_api_request(request):
        return defaults.page_not_found(request, exception)
    return _json_error(NOT_FOUND, 404)


def server_error(request):
    if not is_api_request(request):
        return defaults.server_error(request)
    return _json_error(SERVER_ERROR, 500)


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: DRF's own wording under /api/, Django's page elsewhere."""
    if not is_api_request(request):
        return csrf.csrf_failure(request, reason=reason)
    return _json_error(f"CSRF Failed: {reason}", 403)
