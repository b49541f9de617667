import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IdempotentRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=255, verbose_name="idempotency key")),
                ("method", models.CharField(max_length=10, verbose_name="method")),
                ("path", models.CharField(max_length=500, verbose_name="path")),
                (
                    "request_sha256",
                    models.CharField(max_length=64, verbose_name="request SHA-256"),
                ),
                ("status", models.PositiveSmallIntegerField(verbose_name="HTTP status")),
                ("response", models.TextField(verbose_name="response (JSON)")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="created at"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "idempotent request",
                "verbose_name_plural": "idempotent requests",
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["created_at"], name="api_idempotent_created")],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "key"), name="api_idempotent_user_key")
                ],
            },
        ),
    ]
