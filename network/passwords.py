"""Password reset mail, sent from the task queue rather than from the request.

Sent inside the request, the reset page answered a known address only after the mail server had
taken the message (0.4 s with a slow server) and an unknown one at once (2 ms): the time told who
has an account. Now the request does the same for every address: it puts the address typed on
the queue, and ``password_reset_email_send``, a django-q2 task, looks the address up and sends
the link (Django's ``PasswordResetForm``: active accounts with a usable password only, one link
each). Neither a broker that cannot be reached nor a mail server that refuses changes the page
the person sees; both are logged, without the address.

The link points at ``SITE_URL``: the task has no request, and a link built from the request's
``Host`` header is one a forged header could point elsewhere.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation

from network.language import language_of
from network.tasks import task_enqueue

logger = logging.getLogger(__name__)

SEND_TASK = "network.passwords.password_reset_email_send"


def password_reset_email_enqueue(*, email: str) -> None:
    """Queue the reset mail for ``email`` (as typed; it may belong to nobody)."""
    # Successful runs are not kept: the result table would hold the addresses typed.
    task_enqueue(
        SEND_TASK,
        email,
        what="a password reset email",
        task_name="password-reset-email",
        save=False,
    )


class AccountLanguagePasswordResetForm(PasswordResetForm):
    """Django's form; each account's mail in the language saved on it (English if none)."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(language_of(context.get("user"))):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


def password_reset_email_send(email: str) -> None:
    """The task: a reset link to each active account with a usable password at ``email``.

    Django's form logs a mail server's refusal (with the account's id) and goes on; the person
    can ask again."""
    form = AccountLanguagePasswordResetForm({"email": email})
    if not form.is_valid():
        return
    site = urlsplit(settings.SITE_URL)
    form.save(domain_override=site.netloc, use_https=site.scheme == "https")
