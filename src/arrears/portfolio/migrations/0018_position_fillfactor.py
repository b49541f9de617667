"""Room in the position tables' pages for the cycle's daily updates (``core.fillfactor``)."""

from django.db import migrations

from arrears.core.fillfactor import fillfactor


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0017_contact_point_invalid_index"),
    ]

    operations = [
        fillfactor("cycle_loanposition"),
        fillfactor("cycle_installmentposition"),
    ]
