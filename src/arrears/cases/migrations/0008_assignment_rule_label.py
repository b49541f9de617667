from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_assignment_round_robin_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseassignment",
            name="rule",
            field=models.CharField(
                choices=[
                    ("capacity", "By capacity"),
                    ("round_robin", "Round robin"),
                    ("balanced_amount", "Balanced amount"),
                    ("same_borrower", "Same borrower, same collector"),
                    ("stage_change", "Stage change (re-assigned)"),
                    ("manual", "Manual reassignment"),
                    ("released", "Returned to the team pool"),
                ],
                max_length=20,
                verbose_name="rule",
            ),
        ),
    ]
