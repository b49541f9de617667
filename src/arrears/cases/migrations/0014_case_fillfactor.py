"""Room in the cases' pages for the cycle's daily DPD updates (``core.fillfactor``)."""

from django.db import migrations

from arrears.core.fillfactor import fillfactor


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_case_cycle_indexes"),
    ]

    operations = [
        fillfactor("cases_collectioncase"),
    ]
