"""django-q2 entry points of the network app: each takes plain values and does one job."""

import logging
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_q import tasks as django_q_tasks
from django_q.brokers import get_broker

from network.cache import Outage, service_outage
from network.language import language_of

logger = logging.getLogger(__name__)

_brokers: dict[int, object] = {}


def _broker():
    """This process's broker: one connection for every enqueue, not a new one each time.
    Keyed by process id so a forked web worker does not share its parent's socket."""
    pid = os.getpid()
    if pid not in _brokers:
        _brokers.clear()
        _brokers[pid] = get_broker()
    return _brokers[pid]


def task_queue_outage() -> Outage:
    return service_outage(
        "The task queue (Redis)",
        "notifications stay queued in the database and the retry sweep sends them; a reset "
        "link or an application notice is not sent (the person can ask again)",
    )


def task_enqueue(function: str, *args, what: str = "", **options):
    """Hand ``function(*args)`` to the task queue; its task id, or None when it could not be.

    Never raises, so the answer the person is waiting for does not depend on the broker: Redis
    away (the production broker) is logged once per outage, and not tried again for a few
    seconds after each failure; any other broker error is logged with its traceback.
    ``what`` names the task in the log (the function's path by default); ``options`` are
    django-q2's (``task_name``, ``save``...).
    """
    try:
        return task_queue_outage().call(
            django_q_tasks.async_task,
            function,
            *args,
            broker=_broker(),
            fallback=None,
            **options,
        )
    except Exception:  # the broker's own errors (the ORM broker's database, say) vary
        logger.exception("Could not queue %s; it was not run.", what or function)
        return None


def application_known_email_notify(email: str) -> None:
    """Tell the owner of ``email`` that someone applied to join with it, though it already has
    an account: the person who applied is answered "we will be in touch" whatever the case, so
    only the real owner of the address learns that it is known (and what to do instead)."""
    context = {"site_url": settings.SITE_URL, "intake_email": settings.INTAKE_EMAIL}
    # In the language the account behind the address chose (English when none did).
    owner = get_user_model().objects.filter(email__iexact=email).exclude(language="").first()
    with translation.override(language_of(owner)):
        send_mail(
            subject=_("Your application to join the alliance"),
            message=render_to_string("network/email/known_applicant.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
        )
