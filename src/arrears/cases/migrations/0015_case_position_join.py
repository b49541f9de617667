"""The case's join path to its loan's position on the case's own loan id
(``CollectionCase.position``): a field of the models' state only. It has no column and no
constraint, so there is nothing to do in the database either way (Django's SQLite schema
editor cannot remove a ``ForeignObject``, though there would be nothing to remove)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_case_fillfactor"),
        ("portfolio", "0018_position_fillfactor"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="collectioncase",
                    name="position",
                    field=models.ForeignObject(
                        from_fields=["loan"],
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="portfolio.loanposition",
                        to_fields=["loan"],
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
