"""The words the matching engine writes for people, translatable without Django.

The engine (``rank``, ``teams``, ``team_scoring``...) imports no Django, yet its explanations
(why nobody fits, what each member of a proposed team covers, why a member is set aside) are
read by coordinators on the request page and in the API. The engine marks them with the usual
names, so ``makemessages`` finds them in matching's catalogs::

    from matching.messages import _, gettext_noop, ngettext

    _("No member passes the filters for this request.")
    _("No working member holds: %(skills)s.") % {"skills": ", ".join(unheld)}

Until something installs translation functions these give the English text back (the engine
used on its own: benchmarks, evaluation, tests without Django). ``matching.apps`` installs
Django's ``gettext`` and ``ngettext`` at start-up, so an explanation comes out in the language
active when it is written: the reader's, during a web or API request.

``gettext_noop`` only marks a string for the catalogs (a module-level constant, translated
later with ``_(constant)`` when it is used). ``number`` writes the numbers an explanation shows
(rates, costs, hours, percentages) as the reader's language writes them: "12,500.00" in English,
"12 500,00" in French once Django's formatting is installed.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["_", "gettext", "gettext_noop", "install", "ngettext", "number", "pgettext"]


def _english(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, number: int) -> str:
    return singular if number == 1 else plural


def _english_in_context(context: str, message: str) -> str:
    return message


def english_number(value: float, decimals: int | None = None, grouping: bool = False) -> str:
    """``value`` as English writes it: ``decimals`` places (None: as few as it needs, as
    ``format(value, "g")``), thousands separated by commas when ``grouping``."""
    if decimals is None:
        return format(value, "g")
    return format(value, f"{',' if grouping else ''}.{decimals}f")


NumberFormat = Callable[[float, "int | None", bool], str]

_gettext: Callable[[str], str] = _english
_ngettext: Callable[[str, str, int], str] = _english_plural
_pgettext: Callable[[str, str], str] = _english_in_context
_number: NumberFormat = english_number


def install(
    gettext: Callable[[str], str] | None = None,
    ngettext: Callable[[str, str, int], str] | None = None,
    pgettext: Callable[[str, str], str] | None = None,
    number: NumberFormat | None = None,
) -> None:
    """Translate the engine's messages with these functions; without them, English again.

    ``number(value, decimals, grouping)`` must write English exactly as ``english_number``.
    """
    global _gettext, _ngettext, _pgettext, _number
    _gettext = gettext or _english
    _ngettext = ngettext or _english_plural
    _pgettext = pgettext or _english_in_context
    _number = number or english_number


def gettext(message: str) -> str:
    """``message`` in the installed language (English when nothing is installed)."""
    return _gettext(message)


def ngettext(singular: str, plural: str, number: int) -> str:
    """The singular or plural of a message for ``number``, in the installed language."""
    return _ngettext(singular, plural, number)


def pgettext(context: str, message: str) -> str:
    """A short message that needs a context to be translated right ("Leads", a team role)."""
    return _pgettext(context, message)


def number(value: float, decimals: int | None = None, *, grouping: bool = False) -> str:
    """A number for an explanation, in the installed language's way of writing numbers."""
    return _number(value, decimals, grouping)


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it now."""
    return message


_ = gettext
