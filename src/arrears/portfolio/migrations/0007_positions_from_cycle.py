import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cycle", "0003_positions_to_portfolio"),
        ("portfolio", "0006_waivers"),
    ]

    # The positions arrive from the cycle app with their tables (cycle_*) unchanged.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LoanPosition",
                    fields=[
                        (
                            "loan",
                            models.OneToOneField(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="position",
                                serialize=False,
                                to="portfolio.loan",
                            ),
                        ),
                        ("as_of", models.DateField(verbose_name="as of")),
                        (
                            "dpd",
                            models.PositiveIntegerField(default=0, verbose_name="days past due"),
                        ),
                        (
                            "bucket",
                            models.CharField(default="M0", max_length=3, verbose_name="bucket"),
                        ),
                        (
                            "classification",
                            models.CharField(
                                choices=[
                                    ("normal", "正常 normal"),
                                    ("special_mention", "关注 special mention"),
                                    ("substandard", "次级 substandard"),
                                    ("doubtful", "可疑 doubtful"),
                                    ("loss", "损失 loss"),
                                ],
                                default="normal",
                                max_length=16,
                                verbose_name="classification",
                            ),
                        ),
                        (
                            "overdue_principal",
                            models.BigIntegerField(default=0, verbose_name="overdue principal"),
                        ),
                        (
                            "overdue_interest",
                            models.BigIntegerField(default=0, verbose_name="overdue interest"),
                        ),
                        (
                            "overdue_fees",
                            models.BigIntegerField(default=0, verbose_name="overdue fees"),
                        ),
                        (
                            "overdue_penalty",
                            models.BigIntegerField(default=0, verbose_name="overdue penalty"),
                        ),
                        (
                            "penalty_accrued",
                            models.BigIntegerField(default=0, verbose_name="penalty accrued"),
                        ),
                        (
                            "credit_balance",
                            models.BigIntegerField(default=0, verbose_name="credit balance"),
                        ),
                        (
                            "principal_outstanding",
                            models.BigIntegerField(default=0, verbose_name="principal outstanding"),
                        ),
                        ("next_due_day", models.IntegerField(blank=True, null=True)),
                        ("oldest_overdue_day", models.IntegerField(blank=True, null=True)),
                        ("oldest_unpaid_day", models.IntegerField(blank=True, null=True)),
                        (
                            "last_paid_on",
                            models.DateField(blank=True, null=True, verbose_name="last paid on"),
                        ),
                        (
                            "limitation_expires_on",
                            models.DateField(
                                blank=True, null=True, verbose_name="limitation expires on"
                            ),
                        ),
                        ("limitation_day", models.IntegerField(blank=True, null=True)),
                        (
                            "limitation_watch",
                            models.BooleanField(
                                default=False, verbose_name="limitation within 90 days"
                            ),
                        ),
                        ("penalty_rate_num", models.BigIntegerField()),
                        ("penalty_rate_den", models.BigIntegerField()),
                        ("payments_count", models.PositiveIntegerField(default=0)),
                        ("payments_total", models.BigIntegerField(default=0)),
                        ("payments_version", models.PositiveIntegerField(default=0)),
                        ("pending_payment_day", models.IntegerField(blank=True, null=True)),
                        ("loan_updated_at", models.DateTimeField()),
                    ],
                    options={
                        "verbose_name": "loan position",
                        "verbose_name_plural": "loan positions",
                        "db_table": "cycle_loanposition",
                        "ordering": ["loan_id"],
                    },
                ),
                migrations.CreateModel(
                    name="InstallmentPosition",
                    fields=[
                        (
                            "installment",
                            models.OneToOneField(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="position",
                                serialize=False,
                                to="portfolio.installment",
                            ),
                        ),
                        ("seq", models.PositiveSmallIntegerField()),
                        ("due_day", models.IntegerField()),
                        ("accrue_after_day", models.IntegerField()),
                        ("accrued_through_day", models.IntegerField()),
                        ("principal_unpaid", models.BigIntegerField()),
                        ("interest_unpaid", models.BigIntegerField()),
                        ("fees_unpaid", models.BigIntegerField()),
                        ("fen_days", models.BigIntegerField(default=0)),
                        ("penalty_accrued", models.BigIntegerField(default=0)),
                        ("penalty_paid", models.BigIntegerField(default=0)),
                        (
                            "loan",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="portfolio.loan",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "installment position",
                        "verbose_name_plural": "installment positions",
                        "db_table": "cycle_installmentposition",
                        "ordering": ["loan_id", "seq"],
                        "indexes": [
                            models.Index(fields=["loan", "due_day"], name="inst_position_loan_due"),
                            models.Index(
                                condition=models.Q(("principal_unpaid__gt", 0)),
                                fields=["loan", "accrue_after_day"],
                                name="inst_position_accruing",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="LoanHistory",
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
                        ("business_date", models.DateField(verbose_name="business date")),
                        ("dpd", models.PositiveIntegerField(verbose_name="days past due")),
                        ("bucket", models.CharField(max_length=3, verbose_name="bucket")),
                        (
                            "classification",
                            models.CharField(max_length=16, verbose_name="classification"),
                        ),
                        ("overdue_total", models.BigIntegerField(verbose_name="overdue total")),
                        (
                            "principal_outstanding",
                            models.BigIntegerField(verbose_name="principal outstanding"),
                        ),
                        ("penalty_accrued", models.BigIntegerField(verbose_name="penalty accrued")),
                        (
                            "loan",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="portfolio.loan",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "loan history row",
                        "verbose_name_plural": "loan history",
                        "db_table": "cycle_loanhistory",
                        "ordering": ["loan_id", "business_date"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("loan", "business_date"), name="loan_history_once_a_day"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
