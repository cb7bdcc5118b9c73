"""Read settings from the environment, failing loudly on values that cannot be right.

A typo in a production variable (``DEBUG=flase``) must stop the process at start-up, not
quietly fall back to a default that exposes tracebacks or drops mail.
"""

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    folded = value.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use 1/0, true/false, yes/no.")


def _env_number(name: str, default, parse, what: str):
    """``name`` parsed by ``parse``; ``default`` when unset or blank; a clear error naming
    ``what`` was expected otherwise."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return parse(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not {what}.") from None


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    number = _env_number(name, default, int, "a whole number")
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_float(name: str, default: float, *, minimum: float, maximum: float) -> float:
    number = _env_number(name, default, float, "a number")
    if not minimum <= number <= maximum:
        raise ImproperlyConfigured(f"{name}={number} is not between {minimum} and {maximum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


_EMAIL_SCHEMES = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}


def parse_email_url(url: str) -> dict:
    """Turn ``smtp+tls://user:password@host:587`` into Django's EMAIL_* settings.

    Supported schemes: smtp, smtp+tls (STARTTLS), smtp+ssl, console, locmem, dummy, and
    ``file:///absolute/folder`` (each message written to a file in that folder).
    ``?from=`` sets DEFAULT_FROM_EMAIL.
    """
    parts = urlsplit(url)
    if parts.scheme not in _EMAIL_SCHEMES:
        known = ", ".join(sorted(_EMAIL_SCHEMES))
        raise ImproperlyConfigured(f"EMAIL_URL scheme {parts.scheme!r} is not one of: {known}.")
    config = {"EMAIL_BACKEND": _EMAIL_SCHEMES[parts.scheme]}
    if parts.scheme.startswith("smtp"):
        if not parts.hostname:
            raise ImproperlyConfigured("EMAIL_URL needs a host, e.g. smtp://mail.internal:25.")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured("EMAIL_URL has a port that is not a number.") from None
        config.update(
            EMAIL_HOST=parts.hostname,
            EMAIL_PORT=port or (465 if parts.scheme == "smtp+ssl" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_TLS=parts.scheme == "smtp+tls",
            EMAIL_USE_SSL=parts.scheme == "smtp+ssl",
        )
    if parts.scheme == "file":
        if not parts.path.startswith("/"):
            raise ImproperlyConfigured(
                "EMAIL_URL file:// needs an absolute folder, e.g. file:///srv/mail."
            )
        config["EMAIL_FILE_PATH"] = unquote(parts.path)
    query = parse_qs(parts.query)
    if "from" in query:
        config["DEFAULT_FROM_EMAIL"] = query["from"][0]
    return config
