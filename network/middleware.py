"""A lost database answers 503 "try again in a moment", not a traceback, and heals itself.

When PostgreSQL restarts, fails over or drops connections, every query raises
``OperationalError`` (or ``InterfaceError`` on a connection that is already closed). Without this
middleware such a request ends in the generic 500 page and a logged traceback per request; with
it, pages get a short page that says to try again and the API a JSON body, both with
``Retry-After``, and the broken connection is closed so the next request opens a new one.
Any other error is left alone: it still reaches Django's 500 handling and the error log.

A database that cannot answer at all is given up on too. PostgreSQL's statement and lock
timeouts (network.settings, web processes only) are enforced by the server, so a server that is
frozen (stopped, a paused VM) while a web process holds a connection cannot cancel anything,
and its kernel still acknowledges what is sent. In web processes every wait for the server on a
connection (a query, a commit, Django's health check) therefore ends
``ANSWER_GRACE_SECONDS`` after the statement timeout: the connection is dropped and the request
answers 503, instead of waiting until the WSGI server kills the worker.
"""

import functools
import logging
import sys

import psycopg
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.db.backends.signals import connection_created
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Long enough for a restart or a failover; short enough that a person who reloads is not kept out.
RETRY_AFTER_SECONDS = 30
UNAVAILABLE_DETAIL = _("The service is briefly unavailable; please try again in a moment.")
# Set on the request when an inner middleware's database error became a 500 response.
_MARKER = "_switchboard_database_error"


def _remember_database_error(sender, request=None, **kwargs):
    # Django turns an exception raised inside a middleware (the session middleware saving the
    # session, say) into a 500 response before the outer middleware sees it; it sends this signal
    # while the exception is being handled, so this is the one place that still knows its kind.
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        setattr(request, _MARKER, error)


got_request_exception.connect(
    _remember_database_error, dispatch_uid="switchboard-database-unavailable"
)

# Beyond the statement timeout, for the server's own cancellation to arrive first when it can.
ANSWER_GRACE_SECONDS = 2.0


def _give_up_on_a_silent_server(sender, connection, **kwargs):
    """On each new PostgreSQL connection of a web process: bound every wait for an answer."""
    if connection.vendor != "postgresql" or not getattr(settings, "DATABASE_WEB_TIMEOUTS", False):
        return
    if not settings.DATABASE_STATEMENT_TIMEOUT_MS:
        return  # no statement timeout asked for: no deadline either
    limit = settings.DATABASE_STATEMENT_TIMEOUT_MS / 1000 + ANSWER_GRACE_SECONDS
    raw = connection.connection
    # psycopg runs every exchange with the server through Connection.wait, which takes a
    # timeout; this connection's waits get ours.
    raw.wait = functools.partial(_wait_or_give_up, raw, raw.wait, limit)


def _wait_or_give_up(raw, wait, limit, gen, interval=0.1, timeout=None):
    try:
        return wait(gen, interval, limit if timeout is None else min(timeout, limit))
    except psycopg.errors._WaitTimeout:  # psycopg's "wait timeout expired"
        # The exchange stopped half-way: nothing more can be sent on this connection. Drop it,
        # so Django opens a new one on the next request (its health check fails at once).
        raw.pgconn.finish()
        raise psycopg.OperationalError(
            f"no answer from the database server within {limit:g} s"
        ) from None


connection_created.connect(_give_up_on_a_silent_server, dispatch_uid="switchboard-silent-server")


def _close_broken_connections() -> None:
    """Close connections the error left unusable, so the next request reconnects.

    Django does this itself when the next request starts; doing it now also frees the socket at
    once. A connection inside an atomic block (a test's transaction) is left to its owner.
    """
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def database_unavailable_response(request) -> HttpResponse:
    """The 503 answer: JSON for the API, a standalone page (no database needed) for the rest,
    in the language of the request's cookie or ``Accept-Language`` (the account's is out of
    reach without the database)."""
    with translation.override(translation.get_language_from_request(request)):
        return _database_unavailable_response(request)


def _database_unavailable_response(request) -> HttpResponse:
    if _wants_json(request):
        response = JsonResponse({"detail": str(UNAVAILABLE_DETAIL)}, status=503)
    else:
        # Rendered without the request: context processors would ask the database for the user.
        page = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with ``Retry-After`` when the database is unreachable.

    Put it before the session and authentication middleware: their database work (loading the
    user, saving the session) happens inside it, so their errors are caught too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except DATABASE_ERRORS as error:
            # Only when exceptions propagate (DEBUG_PROPAGATE_EXCEPTIONS); normally they come
            # through process_exception or the signal above.
            return self._unavailable(request, error, logged=False)
        error = getattr(request, _MARKER, None)
        if error is not None and response.status_code == 500:
            # Django's handler has already logged the traceback of this one.
            return self._unavailable(request, error, logged=True)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return self._unavailable(request, exception, logged=False)
        return None  # not ours: Django's 500 handling and the error log take it

    def _unavailable(self, request, error, *, logged: bool) -> HttpResponse:
        if not logged:
            logger.error(
                "Database unavailable during %s %s: %s",
                request.method,
                request.path,
                error,
                exc_info=(type(error), error, error.__traceback__),
            )
        _close_broken_connections()
        return database_unavailable_response(request)
