from django.db import migrations, models

import arrears.accounts.models


class Migration(migrations.Migration):
    """API tokens get scopes: rights a token adds to its user's role (``payments:write``).
    Existing tokens get none and keep working exactly as before."""

    dependencies = [
        ("accounts", "0004_team_assignment_method"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.CharField(
                blank=True,
                default="",
                help_text="space-separated rights the token adds, e.g. payments:write",
                max_length=200,
                validators=[arrears.accounts.models.validate_scopes],
                verbose_name="scopes",
            ),
        ),
    ]
