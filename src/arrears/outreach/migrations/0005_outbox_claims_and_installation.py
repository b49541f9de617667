"""Messages are ``claimed`` by a worker before any is ``sending`` (only the request in
flight is marked sending); each carries the key of the provider request that took it; and
the database gets its installation key, unique to this database, for idempotency keys."""

from __future__ import annotations

import secrets
from typing import Any

import django.utils.timezone
from django.db import migrations, models

import arrears.outreach.models.installation


def create_installation(apps: Any, schema_editor: Any) -> None:
    Installation = apps.get_model("outreach", "Installation")
    if not Installation.objects.filter(pk=1).exists():
        Installation.objects.create(
            pk=1, key=secrets.token_hex(4), created_at=django.utils.timezone.now()
        )


class Migration(migrations.Migration):
    dependencies = [("outreach", "0004_shipped_templates")]

    operations = [
        migrations.AlterField(
            model_name="outboxmessage",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("claimed", "Taken by a worker"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("delivered", "Delivered"),
                    ("failed", "Failed"),
                    ("blocked", "Blocked by the compliance gate"),
                    ("cancelled", "Cancelled"),
                    ("unknown", "Unknown (for review)"),
                ],
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="request_key",
            # A database default too: the outbox step and the bench insert rows in bulk
            # without naming this column.
            field=models.CharField(
                blank=True, db_default="", default="", max_length=80, verbose_name="request key"
            ),
        ),
        migrations.CreateModel(
            name="Installation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key",
                    models.CharField(
                        default=arrears.outreach.models.installation.new_installation_key,
                        max_length=16,
                        verbose_name="installation key",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={"verbose_name": "installation", "verbose_name_plural": "installation"},
        ),
        migrations.RunPython(create_installation, migrations.RunPython.noop),
    ]
