"""django-q2 entry points for intake. Each takes primary keys (or nothing) and calls one
service; ``setup_schedules`` runs the timers below on a schedule."""

from intake import delivery, reminders, workflow


def notification_send(notification_id: int) -> str:
    """Send one notification; idempotent (see ``delivery.notification_deliver``)."""
    return delivery.notification_deliver(notification_id)


def notifications_send(notification_ids: list[int]) -> list[str]:
    """Send a batch of notifications one by one; each is idempotent on its own, so a batch
    sent twice (a redelivery, the sweep) sends every message once."""
    return delivery.notifications_deliver(notification_ids)


def notifications_retry() -> int:
    """Every minute, and at once behind a full batch or after an outage: enqueue the queued
    notifications whose next attempt is due (``delivery.notifications_sweep``)."""
    return delivery.notifications_sweep()


def offers_expire() -> int:
    """Every 15 minutes: expire offers past their deadline (back to the group coordinator)."""
    return workflow.offers_expire_due()


def requests_remind_overdue() -> int:
    """Every 15 minutes: remind intake coordinators of requests past the response target."""
    return len(reminders.requests_flag_overdue())
