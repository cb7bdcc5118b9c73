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

A POST, PUT, PATCH or DELETE to an API address without its trailing slash is a JSON 404 that
names the address with the slash (``ApiCommonMiddleware``), not ``APPEND_SLASH``'s redirect:
clients follow a 301 with a GET, or without the body, so the request would reach another
operation or lose its body; and with DEBUG on Django refuses to redirect those methods with an
exception (a 500). A GET loses nothing by a redirect and keeps it, as pages do.
"""

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.middleware.common import CommonMiddleware
from django.utils.translation import gettext_lazy as _
from django.views import csrf, defaults
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from network.errors import Conflict

API_PREFIX = "/api/"

# In the language of the request's Accept-Language (LocaleMiddleware); the keys stay English.
NOT_FOUND = _("No API operation at this address; the operations are listed at /api/docs/.")
SERVER_ERROR = _("Something went wrong on the server; the error is logged. Try again later.")
BAD_REQUEST = _("The request could not be read.")
FORBIDDEN = _("You do not have permission to perform this action.")


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def refused_body_detail(exception) -> str | None:
    """What to tell a client whose body Django refused to read, or None for other errors."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return _("The request body is larger than %(limit)s bytes, the most the API reads.") % {
            "limit": f"{limit:,}"
        }
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return _("The request has more than %(limit)s fields, the most the API reads.") % {
            "limit": f"{limit:,}"
        }
    if isinstance(exception, TooManyFilesSent):
        return str(_("The request has more file parts than the API reads; it takes no files."))
    return None


def field_errors(
    error: DjangoValidationError, field_map: dict[str, str] | None = None
) -> serializers.ValidationError:
    """A service's ``ValidationError`` as DRF's 400: ``{field: [messages]}``, errors not tied to
    a field under ``non_field_errors``.

    ``field_map`` renames model fields to the input field the client sent (a skill's ``slug``
    is made from its ``name``; ``"__all__"`` names the field a model-wide rule is about). A view
    gives it as ``service_field_map``."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        error = DjangoValidationError({"__all__": error.messages})
    detail: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        key = field_map.get(field, field)
        if key == "__all__":
            key = api_settings.NON_FIELD_ERRORS_KEY
        detail.setdefault(key, []).extend(messages)
    return serializers.ValidationError(detail)


def exception_handler(exc, context):
    """The one answer to a service's refusal, for every API view (DRF's ``EXCEPTION_HANDLER``).

    ``Conflict`` (a stale version, a step the state does not allow) is a 409 with ``detail`` and,
    when known, the current ``status`` and ``version``; Django's ``ValidationError`` is a 400 with
    field messages; ``PermissionDenied`` a 403 and ``Http404`` a 404 (DRF's own handling).
    Django's refusals of a body are a 400 with a message.
    """
    if isinstance(exc, Conflict):
        return Response(exc.as_body(), status=409)
    if isinstance(exc, DjangoValidationError):
        exc = field_errors(exc, getattr(context.get("view"), "service_field_map", None))
    detail = refused_body_detail(exc)
    if detail is not None:
        exc = ParseError(detail)
    return drf_exception_handler(exc, context)


def _json_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": str(detail)}, status=status)


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


# The methods Django will not redirect with DEBUG on: a redirect loses what they send.
METHODS_NOT_REDIRECTED = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def missing_slash_detail(request) -> str:
    return _(
        "No API operation at this address; API addresses end with a slash: %(path)s/ "
        "(a %(method)s is not redirected: clients send it again as a GET, or without its body)."
    ) % {"path": request.path, "method": request.method}


class ApiCommonMiddleware(CommonMiddleware):
    """Django's ``CommonMiddleware``; under /api/, a POST, PUT, PATCH or DELETE that the address
    with a slash would have taken is a JSON 404 saying so, never ``APPEND_SLASH``'s redirect."""

    def _answers_instead_of_redirecting(self, request) -> bool:
        return is_api_request(request) and request.method in METHODS_NOT_REDIRECTED

    def should_redirect_with_slash(self, request):
        if self._answers_instead_of_redirecting(request):
            return False
        return super().should_redirect_with_slash(request)

    def process_response(self, request, response):
        if (
            response.status_code == 404
            and self._answers_instead_of_redirecting(request)
            and super().should_redirect_with_slash(request)
        ):
            response = _json_error(missing_slash_detail(request), 404)
        return super().process_response(request, response)


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: DRF's own wording under /api/, Django's page elsewhere."""
    if not is_api_request(request):
        return csrf.csrf_failure(request, reason=reason)
    return _json_error(_("CSRF Failed: %(reason)s") % {"reason": reason}, 403)
