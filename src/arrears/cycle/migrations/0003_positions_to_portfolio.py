from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cycle", "0002_position_fillfactor"),
    ]

    # The positions move to the ledger (portfolio); their tables stay as they are.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="loanhistory",
                    name="loan",
                ),
                migrations.RemoveField(
                    model_name="loanposition",
                    name="loan",
                ),
                migrations.DeleteModel(
                    name="InstallmentPosition",
                ),
                migrations.DeleteModel(
                    name="LoanHistory",
                ),
                migrations.DeleteModel(
                    name="LoanPosition",
                ),
            ],
            database_operations=[],
        ),
    ]
