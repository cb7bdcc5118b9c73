"""django-q2 entry points of the network app: each takes plain values and does one job."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django_q.tasks import async_task

logger = logging.getLogger(__name__)


def task_enqueue(function: str, *args) -> None:
    """Hand ``function(*args)`` to the task queue; a broker that cannot be reached is logged,
    never raised, so the answer the person is waiting for does not depend on it."""
    try:
        async_task(function, *args)
    except Exception:  # the broker's own errors (Redis, the ORM broker's database) vary
        logger.exception("Could not queue %s; it was not run.", function)


def application_known_email_notify(email: str) -> None:
    """Tell the owner of ``email`` that someone applied to join with it, though it already has
    an account: the person who applied is answered "we will be in touch" whatever the case, so
    only the real owner of the address learns that it is known (and what to do instead)."""
    context = {"site_url": settings.SITE_URL, "intake_email": settings.INTAKE_EMAIL}
    send_mail(
        subject="Your application to join the alliance",
        message=render_to_string("network/email/known_applicant.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )
