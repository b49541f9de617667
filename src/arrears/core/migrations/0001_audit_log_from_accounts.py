import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_audit_log_to_core"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The audit log arrives from accounts with its tables (accounts_audit*) unchanged.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditHead",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("last_hash", models.CharField(max_length=64, verbose_name="last hash")),
                        ("count", models.BigIntegerField(default=0, verbose_name="entries")),
                    ],
                    options={
                        "verbose_name": "audit chain head",
                        "verbose_name_plural": "audit chain head",
                        "db_table": "accounts_audithead",
                        "ordering": ["id"],
                    },
                ),
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "number",
                            models.BigIntegerField(unique=True, verbose_name="number in the chain"),
                        ),
                        ("at", models.DateTimeField(verbose_name="at")),
                        (
                            "actor_name",
                            models.CharField(
                                blank=True, default="", max_length=150, verbose_name="actor"
                            ),
                        ),
                        ("action", models.CharField(max_length=60, verbose_name="action")),
                        (
                            "subject_type",
                            models.CharField(max_length=60, verbose_name="subject type"),
                        ),
                        ("subject_id", models.CharField(max_length=60, verbose_name="subject id")),
                        ("data", models.JSONField(default=dict, verbose_name="data")),
                        (
                            "prev_hash",
                            models.CharField(max_length=64, verbose_name="previous hash"),
                        ),
                        ("hash", models.CharField(max_length=64, unique=True, verbose_name="hash")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "audit entry",
                        "verbose_name_plural": "audit log",
                        "db_table": "accounts_auditentry",
                        "ordering": ["number"],
                        "indexes": [
                            models.Index(
                                fields=["subject_type", "subject_id"], name="audit_subject"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
