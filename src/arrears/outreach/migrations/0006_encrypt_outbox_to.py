"""Encryption at rest of the outbox's recipient (a phone, email or address); the data step
encrypts existing rows in batches and, reversed, decrypts them back."""

from typing import Any

from django.db import migrations

import arrears.core.fields
from arrears.core.encryption_batches import Column, column_decrypt, column_encrypt

TO = Column("outreach_outboxmessage", "to")


def encrypt(apps: Any, schema_editor: Any) -> None:
    column_encrypt(TO)


def decrypt(apps: Any, schema_editor: Any) -> None:
    column_decrypt(TO)


class Migration(migrations.Migration):
    dependencies = [("outreach", "0005_outbox_claims_and_installation")]

    operations = [
        migrations.AlterField(
            model_name="outboxmessage",
            name="to",
            field=arrears.core.fields.EncryptedTextField(
                blank=True, default="", max_length=300, verbose_name="sent to"
            ),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
    ]
