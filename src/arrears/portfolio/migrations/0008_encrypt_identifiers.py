"""Encryption at rest of parties' ID numbers and contact points' values, with their blind
indexes; the identity and contact uniqueness move onto the indexes.

The data step encrypts the existing rows in batches (core.encryption_batches) and, when
reversed, decrypts them back, so ``migrate portfolio 0007`` restores the clear columns.
"""

from typing import Any

from django.db import migrations, models
from django.db.models import Q

import arrears.core.fields
from arrears.core.encryption_batches import (
    Column,
    column_decrypt,
    column_encrypt,
    index_duplicates_separate,
)

PARTY = Column("portfolio_party", "id_number", index="id_number_index", scheme="id")
POINT = Column("portfolio_contactpoint", "value", index="value_index", scheme_column="kind")


def encrypt(apps: Any, schema_editor: Any) -> None:
    column_encrypt(PARTY)
    column_encrypt(POINT)
    index_duplicates_separate(PARTY, ["creditor_id", "id_type"])
    index_duplicates_separate(POINT, ["party_id", "kind"])


def decrypt(apps: Any, schema_editor: Any) -> None:
    column_decrypt(PARTY)
    column_decrypt(POINT)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0007_positions_from_cycle")]

    operations = [
        migrations.AddField(
            model_name="party",
            name="id_number_index",
            field=arrears.core.fields.BlindIndexField(source="id_number", scheme="id"),
        ),
        migrations.AlterField(
            model_name="party",
            name="id_number",
            field=arrears.core.fields.EncryptedTextField(
                blank=True, default="", max_length=40, verbose_name="ID number"
            ),
        ),
        migrations.AddField(
            model_name="contactpoint",
            name="value_index",
            field=arrears.core.fields.BlindIndexField(source="value", scheme_field="kind"),
        ),
        migrations.AlterField(
            model_name="contactpoint",
            name="value",
            field=arrears.core.fields.EncryptedTextField(max_length=300, verbose_name="value"),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.RemoveConstraint(model_name="party", name="party_identity_per_creditor"),
        migrations.AddConstraint(
            model_name="party",
            constraint=models.UniqueConstraint(
                condition=Q(("id_number_index", ""), _negated=True),
                fields=("creditor", "id_type", "id_number_index"),
                name="party_identity_per_creditor",
            ),
        ),
        migrations.RemoveConstraint(model_name="contactpoint", name="contact_point_unique_value"),
        migrations.AddConstraint(
            model_name="contactpoint",
            constraint=models.UniqueConstraint(
                fields=("party", "kind", "value_index"), name="contact_point_unique_value"
            ),
        ),
    ]
