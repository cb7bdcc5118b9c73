"""django-q2 entry points for intake. Each takes primary keys (or nothing) and calls one
service; ``setup_schedules`` runs the timers below on a schedule."""

from intake import notifications, reminders, workflow


def notification_send(notification_id: int) -> str:
    """Send one notification; idempotent (see ``notifications.notification_deliver``)."""
    return notifications.notification_deliver(notification_id)


def notifications_send(notification_ids: list[int]) -> list[str]:
    """Send a batch of notifications one by one; each is idempotent on its own, so a batch
    sent twice (a redelivery, the sweep) sends every message once."""
    return [notifications.notification_deliver(pk) for pk in notification_ids]


def notifications_retry() -> int:
    """Every 5 minutes: enqueue the queued notifications whose next attempt is due."""
    return len(notifications.notifications_retry_due())


def offers_expire() -> int:
    """Every 15 minutes: expire offers past their deadline (back to the group coordinator)."""
    return workflow.offers_expire_due()


def requests_remind_overdue() -> int:
    """Every 15 minutes: remind intake coordinators of requests past the response target."""
    return len(reminders.requests_flag_overdue())
