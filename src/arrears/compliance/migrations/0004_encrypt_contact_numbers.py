"""Encryption at rest of the number (or address) on each contact of the journal; the data
step encrypts existing rows in batches and, reversed, decrypts them back."""

from typing import Any

from django.db import migrations

import arrears.core.fields
from arrears.core.encryption_batches import Column, column_decrypt, column_encrypt

NUMBER = Column("compliance_contactattempt", "number")


def encrypt(apps: Any, schema_editor: Any) -> None:
    column_encrypt(NUMBER)


def decrypt(apps: Any, schema_editor: Any) -> None:
    column_decrypt(NUMBER)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0003_hardship_hold")]

    operations = [
        migrations.AlterField(
            model_name="contactattempt",
            name="number",
            field=arrears.core.fields.EncryptedTextField(
                blank=True, default="", max_length=300, verbose_name="number or address"
            ),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
    ]
