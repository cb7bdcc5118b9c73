"""Texts the bid services store in English and the pages and emails show in the reader's
language: the role a lead gets when none is named, the role a proposed team's member gets, and
the reason an agreement version was written.

The stored text stays as written (the agreement's record is one text for the whole team); these
functions only say it again in the active language when it is one the services wrote. A role
or reason a person typed is shown as typed.
"""

import re

from django.utils.translation import gettext, pgettext

from intake.bids import rules

# The services' own reasons (intake.bids.team, intake.bids.terms), read back.
_JOINED = re.compile(r"(?P<name>.+) joined the team")
_LEFT = re.compile(r"(?P<name>.+) left the team")
_CHANGED_SEAT = re.compile(r"(?P<name>.+)'s role or hours changed")
_CHANGED_TERMS = re.compile(r"Changed (?P<what>.+)")
TERM_NAMES = ("price", "alliance share", "split mode")


def role_text(role: str) -> str:
    """A seat's role: the default roles the services give in the reader's language."""
    if role == rules.DEFAULT_LEAD_ROLE:
        return pgettext("role on a team", "Lead")
    if role == "Team member":
        return gettext("Team member")
    return role


def _term_name(name: str) -> str:
    return {
        "price": pgettext("changed term", "price"),
        "alliance share": pgettext("changed term", "alliance share"),
        "split mode": pgettext("changed term", "split mode"),
    }[name]


def reason_text(reason: str) -> str:
    """Why an agreement version was written, in the reader's language when the services wrote
    it."""
    if reason == "Bid started":
        return gettext("Bid started")
    if match := _JOINED.fullmatch(reason):
        return gettext("%(name)s joined the team") % {"name": match["name"]}
    if match := _LEFT.fullmatch(reason):
        return gettext("%(name)s left the team") % {"name": match["name"]}
    if match := _CHANGED_SEAT.fullmatch(reason):
        return gettext("%(name)s's role or hours changed") % {"name": match["name"]}
    if match := _CHANGED_TERMS.fullmatch(reason):
        names = match["what"].split(", ")
        if all(name in TERM_NAMES for name in names):
            what = ", ".join(_term_name(name) for name in names)
            return gettext("Changed %(what)s") % {"what": what}
    return reason
