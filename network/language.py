"""Which language a person reads Switchboard in, and how they choose it.

Django's ``LocaleMiddleware`` picks the language from the language cookie, then the browser's
``Accept-Language``. A signed-in member who chose a language in the footer's switcher keeps it
on every device: it is saved on their account (``User.language``) and wins over both. The API
follows ``Accept-Language`` alone, so a script gets the language it asks for.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from network.middleware import DATABASE_ERRORS


def supported(code: str | None) -> str | None:
    """``code`` if Switchboard speaks it (``es`` or a variant of it, such as ``es-mx``)."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def language_of(user) -> str:
    """The language to write to ``user`` in: the one saved on their account, else the site's."""
    return supported(getattr(user, "language", "")) or settings.LANGUAGE_CODE


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class UserLanguageMiddleware:
    """After ``LocaleMiddleware`` and authentication: a member's saved language wins on pages.

    ``request.user`` is already loaded by the pages that show the signed-in navigation, so this
    costs no query of its own there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api(request):
            chosen = self._saved_language(request)
            if chosen:
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
        return self.get_response(request)

    @staticmethod
    def _saved_language(request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        try:
            if user is None or not user.is_authenticated:
                return None
        except DATABASE_ERRORS:
            # The database is away: the browser's language will do; the view meets the same
            # error and answers the friendly 503 page.
            return None
        return supported(user.language)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (cookie, then back to ``next``), remembered on the account too."""
    response = django_set_language(request)
    chosen = supported(request.POST.get("language"))
    if chosen and request.user.is_authenticated and request.user.language != chosen:
        request.user.language = chosen
        request.user.save(update_fields=["language"])
    return response
