"""Secrets that travel in a URL's path, masked in every log line the project writes.

Two links carry a secret in their path: a client's status link (``/status/<token>/``, and
``/api/v1/requests/status/<token>/`` in the API) and a password-reset link
(``/accounts/password-reset/<uidb64>/<token>/``). Whoever reads a log that holds one can open the
client's request, or set the account's password: so the token is masked wherever a path is
logged.

- ``SecretPathFilter``: a logging filter, set in ``LOGGING`` (network/settings.py) on Django's
  loggers that write paths (``django.request``: "Not Found: /status/…/"; ``django.server``:
  runserver's access lines; ``django.security.*``) and on the console handler, so it also
  covers records that reach the handler from elsewhere.
- ``GunicornLogger``: gunicorn's logger, masking the same in its access log (the request line,
  the path, the query and the Referer) and its error log. Start gunicorn with
  ``--logger-class network.log_masking.GunicornLogger``.
"""

import logging
import re
from collections.abc import Mapping

from gunicorn.glogging import Logger as GunicornBaseLogger

MASK = "[masked]"
# A path segment: up to the next slash, query, fragment, quote, space or angle bracket.
_SEGMENT = r"[^/?#\s\"'<>]+"
SECRET_PATH = re.compile(
    rf"(?P<status>/status/){_SEGMENT}"
    # Django's confirm view answers the token's URL by redirecting to .../set-password/ (the
    # token then waits in the session); that URL holds no secret and stays readable.
    rf"|(?P<reset>/password-reset/{_SEGMENT}/)(?!set-password/){_SEGMENT}"
)


def mask(text: str) -> str:
    """``text`` with the secret of every status or password-reset path replaced by MASK."""
    if "/status/" not in text and "/password-reset/" not in text:
        return text  # the common case, without the regex
    return SECRET_PATH.sub(lambda found: (found["status"] or found["reset"]) + MASK, text)


def _masked(value):
    return mask(value) if isinstance(value, str) else value


class SecretPathFilter(logging.Filter):
    """Masks secret paths in a record's message and arguments; lets every record through.

    It changes the record itself, so every handler after it (and pytest's caplog) sees the
    masked text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _masked(_text_or(record.msg))
        if isinstance(record.args, Mapping):
            # gunicorn's atoms, or one dict given as the arguments: masked in place, so a
            # mapping that answers missing keys (gunicorn's SafeAtoms) keeps doing so.
            for key, value in list(record.args.items()):
                if isinstance(value, str):
                    record.args[key] = mask(value)
        elif isinstance(record.args, tuple):
            record.args = tuple(_masked(_text_or(value)) for value in record.args)
        return True


def _text_or(value):
    """Strings as they are; an object whose text holds a secret path (a request, a URL object)
    as that text, to be masked; anything else as it is, so "%d" still formats a number."""
    if value is None or isinstance(value, str | bytes | int | float):
        return value
    text = str(value)
    return text if ("/status/" in text or "/password-reset/" in text) else value


class GunicornLogger(GunicornBaseLogger):
    """gunicorn's logger with secret paths masked (``--logger-class``, see the module)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: _masked(value) for key, value in atoms.items()}

    def setup(self, cfg):
        super().setup(cfg)
        # The error log writes paths too ("Error handling request /status/…/").
        for log in (self.error_log, self.access_log):
            if not any(isinstance(existing, SecretPathFilter) for existing in log.filters):
                log.addFilter(SecretPathFilter())
