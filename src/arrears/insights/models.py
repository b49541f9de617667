"""The insights app's own tables: the propensity model's versions and the cases' scores.

Everything else it shows is read from the tables of the apps below it; it writes nothing
of theirs (DESIGN rule 7).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.cases.models import CollectionCase
from arrears.core.models import BaseModel


class ScoreModel(BaseModel):
    """One trained version of the propensity-to-pay model (还款意愿评分): a logistic
    regression learnt from the stored history as of a business date, kept as plain numbers
    (feature names, the standardisation's means and scales, coefficients, intercept) so it
    can be read, compared and applied in SQL-free numpy without unpickling anything.

    ``metrics`` holds what the training measured on its time-based holdout (the model's
    AUC, the AUC of DPD alone, the case counts, the train/test split dates). Exactly one
    version is ``active``: the one the cycle scores with; rolling back activates an older
    one.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    trained_on = models.DateField(_("trained on"))
    as_of = models.DateField(_("history as of"))
    features = models.JSONField(_("features"), default=list)
    means = models.JSONField(_("feature means"), default=list)
    scales = models.JSONField(_("feature scales"), default=list)
    coefficients = models.JSONField(_("coefficients"), default=list)
    intercept = models.FloatField(_("intercept"), default=0.0)
    metrics = models.JSONField(_("metrics"), default=dict)
    active = models.BooleanField(_("active"), default=False)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("score model")
        verbose_name_plural = _("score models")
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="one_active_score_model"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.as_of})"


class CaseScore(models.Model):
    """An open case's latest propensity-to-pay score: the probability (0–1) that the
    borrower pays at least the overdue instalment within 30 days, its grade (A most likely
    to pay … E least) and the three features that moved it most (``reasons``: a list of
    ``{"feature", "effect"}``, effect in log-odds against the average case).

    Written set-based by the cycle's ``score`` step, one row per case replaced each day;
    ``model_version`` says which ``ScoreModel`` computed it. No foreign-key constraint:
    written in bulk.
    """

    case = models.OneToOneField(
        CollectionCase,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        related_name="propensity",
        db_constraint=False,
    )
    # The partition a cycle step rewrites is a range of loan ids.
    loan_id = models.BigIntegerField(_("loan"), db_index=True)
    scored_on = models.DateField(_("scored on"))
    value = models.FloatField(_("score"))
    grade = models.CharField(_("grade"), max_length=1)
    reasons = models.JSONField(_("reasons"), default=list)
    model_version = models.PositiveIntegerField(_("model version"))

    class Meta:
        ordering = ["case_id"]
        verbose_name = _("case score")
        verbose_name_plural = _("case scores")

    def __str__(self) -> str:
        return f"{self.case_id} {self.grade} {self.value:.3f}"


class MonthRoll(models.Model):
    """One cell of a month's roll-rate matrix for one partition of loans and one creditor:
    of the active loans (principal outstanding > 0) in bucket ``from_bucket`` at the end of
    the month before ``month_end``, how many stood in ``to_bucket`` at ``month_end``
    (``closed`` once no principal is left) and their principal outstanding at the start.

    Written by the cycle's ``rolls`` step when it closes a month end, so the roll-rate
    report sums a few hundred cells a month instead of pairing every loan's two month-end
    rows again on each read (at a million loans that pairing is seconds per month on SQLite).
    ``first_loan_id``–``last_loan_id`` is the partition that wrote the cell: a re-run of the
    date replaces exactly its own cells.
    """

    month_end = models.DateField(_("month end"))
    first_loan_id = models.BigIntegerField()
    last_loan_id = models.BigIntegerField()
    creditor_id = models.BigIntegerField(_("creditor"))
    from_bucket = models.CharField(_("from"), max_length=6)
    to_bucket = models.CharField(_("to"), max_length=6)
    loans = models.PositiveIntegerField(_("loans"))
    balance = models.BigIntegerField(_("principal outstanding at the start (fen)"))

    class Meta:
        ordering = ["month_end", "from_bucket", "to_bucket"]
        verbose_name = _("roll-rate cell")
        verbose_name_plural = _("roll-rate cells")
        indexes = [models.Index(fields=["month_end", "first_loan_id"], name="month_roll_month")]

    def __str__(self) -> str:
        return f"{self.month_end} {self.from_bucket}→{self.to_bucket} {self.loans}"
