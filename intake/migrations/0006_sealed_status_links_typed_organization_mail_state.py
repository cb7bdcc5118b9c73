"""No status token at rest in plain text; what the client typed kept apart; the mail's state.

- ``IdempotencyRecord``: the Idempotency-Key is kept as its SHA-256 (``key_digest``) and the first
  answer, which holds the status link, sealed under a key derived from ``SECRET_KEY`` and the
  Idempotency-Key (``sealed_response``, ``intake.idempotency``); ``request`` names the request it
  filed (erase_client_data finds the record by it). Existing records are converted here; the
  plain columns go in 0007 (a migration of their own: on PostgreSQL a table whose rows this one
  changed cannot be altered in the same transaction).
- ``Notification``: ``sealed_status_token`` holds the client's token until the message is sent;
  the bodies hold the placeholder ``[[status-link]]``. Existing messages are converted: a queued
  one keeps its link sealed, a sent or failed one loses it. ``failure``, ``last_failed_at`` and
  ``enqueued_at`` are the delivery's state (intake.delivery).
- ``Request``: the organisation's name and website as the client typed them.
"""

import hashlib
import json
import re

import django.db.models.deletion
from django.db import migrations, models

from intake import sealing

# The placeholder of intake.notifications.STATUS_LINK, written out: a migration keeps the value
# it was written with.
STATUS_LINK = "[[status-link]]"
STATUS_URL = re.compile(r"https?://[^\s\"'<>]*?/status/([A-Za-z0-9_-]+)/")


def seal_stored_secrets(apps, schema_editor):
    IdempotencyRecord = apps.get_model("intake", "IdempotencyRecord")
    Notification = apps.get_model("intake", "Notification")
    Request = apps.get_model("intake", "Request")
    for record in IdempotencyRecord.objects.order_by("pk"):
        answer = record.response_body
        request_id = answer.get("id") if isinstance(answer, dict) else None
        record.key_digest = hashlib.sha256(record.key.encode()).hexdigest()
        record.sealed_response = sealing.seal(
            json.dumps(answer), purpose=sealing.IDEMPOTENT_ANSWER, context=record.key
        )
        record.request_id = (
            request_id if Request.objects.filter(pk=request_id).exists() else None
        )
        record.save(update_fields=["key_digest", "sealed_response", "request_id"])
    holding = Notification.objects.filter(body_text__contains="/status/").order_by("pk")
    for notification in holding.iterator():
        found = STATUS_URL.search(notification.body_text)
        if found is None:
            continue
        if notification.status == "queued":
            notification.sealed_status_token = sealing.seal(
                found.group(1), purpose=sealing.STATUS_LINK_PURPOSE
            )
        notification.body_text = STATUS_URL.sub(STATUS_LINK, notification.body_text)
        notification.body_html = STATUS_URL.sub(STATUS_LINK, notification.body_html)
        notification.save(update_fields=["body_text", "body_html", "sealed_status_token"])


def forget_idempotency_records(apps, schema_editor):
    # Going back, the plain keys cannot be recovered from their hashes. The records only serve
    # retries of the last few minutes' submissions, so they are dropped.
    apps.get_model("intake", "IdempotencyRecord").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_hours_window_and_statement_approvals"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotencyrecord",
            name="key_digest",
            field=models.CharField(
                help_text="SHA-256 of the Idempotency-Key (hex).", max_length=64, null=True
            ),
        ),
        migrations.AddField(
            model_name="idempotencyrecord",
            name="request",
            field=models.ForeignKey(
                blank=True,
                help_text="The request the first answer filed.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="intake.request",
            ),
        ),
        migrations.AddField(
            model_name="idempotencyrecord",
            name="sealed_response",
            field=models.TextField(default="", help_text="The first answer's body, encrypted."),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification",
            name="sealed_status_token",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="The client's status token, encrypted (intake.sealing), until the "
                "message is sent or given up; empty after.",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="failure",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "None"),
                    ("unavailable", "Mail server unavailable"),
                    ("refused", "Message refused"),
                ],
                help_text="What the last failure was.",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="last_failed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="enqueued_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the sweep last handed it to the task queue; a later sweep leaves "
                "it alone for a while (intake.delivery.SWEEP_LEASE).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="request",
            name="submitted_organization_name",
            field=models.CharField(
                blank=True,
                help_text="The organisation's name as the client typed it.",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="request",
            name="submitted_organization_website",
            field=models.CharField(
                blank=True,
                help_text="The organisation's website as the client typed it.",
                max_length=200,
            ),
        ),
        migrations.RunPython(seal_stored_secrets, forget_idempotency_records),
    ]
