"""View decorators shared by the apps' pages."""

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from network import access

MEMBERS_ONLY = _("The member pages are open to members of the alliance only.")


def members_only(view=None, *, message: str = MEMBERS_ONLY):
    """Pages for members (``network.access.is_member``): anonymous visitors are sent to sign in
    and come back after (``login_required``); signed-in people who are not members get a 403
    that says ``message``.

    Use it bare (``@members_only``) or with the words of the refusal
    (``@members_only(message="…")``).
    """
    if view is None:
        return functools.partial(members_only, message=message)

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not access.is_member(request.user):
            raise PermissionDenied(message)
        return view(request, *args, **kwargs)

    return wrapper
