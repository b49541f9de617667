from django.db import migrations, models


class Migration(migrations.Migration):
    """Case assignment (分案) gets its own word: a team's ``allocation_method`` becomes
    ``assignment_method`` ("allocation" now means only applying payments, 冲账)."""

    dependencies = [
        ("accounts", "0003_audit_log_to_core"),
    ]

    operations = [
        migrations.RenameField(
            model_name="team",
            old_name="allocation_method",
            new_name="assignment_method",
        ),
        migrations.AlterField(
            model_name="team",
            name="assignment_method",
            field=models.CharField(
                choices=[
                    ("round_robin", "Round robin (轮流)"),
                    ("balanced_amount", "Balanced amount (金额均衡)"),
                ],
                default="round_robin",
                max_length=20,
                verbose_name="assignment method",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="capacity",
            field=models.PositiveIntegerField(
                default=400,
                help_text="most open cases assignment gives them",
                verbose_name="case capacity",
            ),
        ),
    ]
