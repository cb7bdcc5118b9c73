"""Response-time reminders: new requests not contacted within the target raise one reminder.

Being overdue is not a workflow move (the request stays ``submitted`` and its version does not
change); the reminder only stamps ``overdue_reminded_at`` so it is sent once per request.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from intake import notifications
from intake.models import Request


def requests_flag_overdue(*, at: datetime.datetime | None = None) -> list[int]:
    """Stamp and remind every submitted request whose response is due; returns their ids.

    Two runs at once (two clusters, a slow run overlapping the next) never remind twice: the
    stamp is a conditional UPDATE per request, and only the run whose UPDATE changed the row
    writes the reminder, in the same transaction as the stamp.
    """
    at = at or timezone.now()
    due = Request.objects.filter(
        status=Request.Status.SUBMITTED,
        response_due_at__lte=at,
        overdue_reminded_at__isnull=True,
    )
    reminded = []
    for request_id in due.order_by("response_due_at", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            # The conditions again, in the UPDATE: a request contacted or reminded since the
            # query above changes no row here, and is left alone.
            stamped = due.filter(pk=request_id).update(overdue_reminded_at=at)
            if stamped:
                notifications.request_overdue(request_id)
                reminded.append(request_id)
    return reminded
