"""An installment's loan no longer checked by the database (a trigger and a lock on the loan
row per installment on PostgreSQL: the largest share of an import's database time)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0018_position_fillfactor"),
    ]

    operations = [
        migrations.AlterField(
            model_name="installment",
            name="loan",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="installments",
                to="portfolio.loan",
            ),
        ),
    ]
