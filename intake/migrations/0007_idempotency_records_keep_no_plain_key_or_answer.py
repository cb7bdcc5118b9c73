"""The plain Idempotency-Key and answer columns go, now that 0006 sealed what they held."""

from django.db import migrations, models


def forget_idempotency_records(apps, schema_editor):
    # Going back, the plain columns return empty, with nothing to fill them from: the records
    # only serve retries of the last few minutes' submissions, so they are dropped first.
    apps.get_model("intake", "IdempotencyRecord").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0006_sealed_status_links_typed_organization_mail_state"),
    ]

    operations = [
        migrations.RemoveField(model_name="idempotencyrecord", name="key"),
        migrations.RemoveField(model_name="idempotencyrecord", name="response_body"),
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="key_digest",
            field=models.CharField(
                help_text="SHA-256 of the Idempotency-Key (hex).", max_length=64, unique=True
            ),
        ),
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="sealed_response",
            field=models.TextField(help_text="The first answer's body, encrypted."),
        ),
        # Last, so that going back it runs first.
        migrations.RunPython(migrations.RunPython.noop, forget_idempotency_records),
    ]
