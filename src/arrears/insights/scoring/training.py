"""Training the propensity model on the stored history, with a time-based holdout.

Snapshots are the month ends of the cycle's history up to 30 days before ``as_of`` (so
every label is known): each case open on a month end whose loan was overdue that day is a
row. The label is 1 when the cash received in the 30 days after the snapshot reached the
overdue instalment (the smaller of the overdue total and the last instalment due). The
earlier two thirds of the snapshot days train the model; the later third tests it, and the
test's AUC is compared with DPD alone on the same rows. The stored version is the one
measured (fitted on the earlier days), so its metrics say what it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from arrears.core.errors import InvalidInput
from arrears.insights.models import ScoreModel
from arrears.insights.scoring.features import LABEL_DAYS, feature_rows, history_snapshots
from arrears.insights.scoring.matrix import (
    NUMERIC_FEATURES,
    Matrix,
    category_names,
    design_matrix,
    standardise,
)
from arrears.portfolio.models import LoanHistory

# The share of snapshot days (the latest ones) held out to test the model.
TEST_SHARE = 1 / 3
# Regularisation of the logistic regression (scikit-learn's C: smaller is stronger).
REGULARISATION = 1.0


@dataclass(frozen=True)
class Dataset:
    """Feature rows with their labels, split by snapshot day."""

    train_rows: list[tuple[Any, ...]]
    test_rows: list[tuple[Any, ...]]
    train_days: list[date]
    test_days: list[date]


def month_ends(as_of: date) -> list[date]:
    """The month ends the history holds, up to ``LABEL_DAYS`` before ``as_of``."""
    last = as_of - timedelta(days=LABEL_DAYS)
    bounds = LoanHistory.objects.filter(business_date__lte=last).aggregate(
        low=Min("business_date"), high=Max("business_date")
    )
    low, high = bounds["low"], bounds["high"]
    days: list[date] = []
    if low is None or high is None:
        return days
    month = date(low.year, low.month, 1)
    while month <= high:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        end = following - timedelta(days=1)
        if low <= end <= high:
            days.append(end)
        month = following
    return days


def dataset(as_of: date) -> Dataset:
    """The labelled snapshots as of ``as_of``, split in time."""
    days = month_ends(as_of)
    if len(days) < 2:
        raise InvalidInput(
            _(
                "the history has %(count)s month end(s) at least %(days)s days before"
                " %(as_of)s; training needs two (close past month ends with `arrears cycle`)"
            )
            % {"count": len(days), "days": LABEL_DAYS, "as_of": as_of},
            field="as_of",
        )
    rows = feature_rows(history_snapshots(days), with_label=True)
    present = sorted({date.fromordinal(int(row[2])) for row in rows})
    if len(present) < 2:
        raise InvalidInput(
            "overdue cases stand on fewer than two month ends of the history: nothing to hold out",
            field="as_of",
        )
    tested = max(1, round(len(present) * TEST_SHARE))
    test_days = present[-tested:]
    first_test = test_days[0].toordinal()
    return Dataset(
        train_rows=[row for row in rows if row[2] < first_test],
        test_rows=[row for row in rows if row[2] >= first_test],
        train_days=present[:-tested],
        test_days=test_days,
    )


def labels(rows: list[tuple[Any, ...]]) -> Matrix:
    """1 where the 30 days after the snapshot brought at least the overdue instalment."""
    return np.array([1.0 if row[-2] >= row[-1] > 0 else 0.0 for row in rows])


def _fit(matrix: Matrix, target: Matrix) -> tuple[Matrix, Matrix, LogisticRegression]:
    means, scales = standardise(matrix)
    fitted = LogisticRegression(C=REGULARISATION, max_iter=2000)
    fitted.fit((matrix - means) / scales, target)
    return means, scales, fitted


def _auc(target: Matrix, scores: Matrix) -> float:
    return round(float(roc_auc_score(target, scores)), 4)


def model_train(*, as_of: date) -> ScoreModel:
    """Learn a new version from the history as of ``as_of``, measure it on the held-out
    later snapshots (and DPD alone on the same rows) and make it the active version."""
    data = dataset(as_of)
    train_y, test_y = labels(data.train_rows), labels(data.test_rows)
    for name, target in ((_("training"), train_y), (_("test"), test_y)):
        if len(set(target.tolist())) < 2:
            raise InvalidInput(
                _(
                    "the %(part)s snapshots hold only one outcome (every case paid, or none"
                    " did): a model cannot be measured on them"
                )
                % {"part": name},
                field="as_of",
            )
    features = [*NUMERIC_FEATURES, *category_names(data.train_rows)]
    train_x = design_matrix(data.train_rows, features)
    test_x = design_matrix(data.test_rows, features)
    means, scales, fitted = _fit(train_x, train_y)
    auc = _auc(test_y, fitted.predict_proba((test_x - means) / scales)[:, 1])
    dpd = features.index("dpd")
    dpd_means, dpd_scales, dpd_fit = _fit(train_x[:, [dpd]], train_y)
    auc_dpd = _auc(test_y, dpd_fit.predict_proba((test_x[:, [dpd]] - dpd_means) / dpd_scales)[:, 1])
    cases = {row[0] for row in data.train_rows} | {row[0] for row in data.test_rows}
    metrics = {
        "auc": auc,
        "auc_dpd": auc_dpd,
        "cases": len(cases),
        "train_snapshots": len(data.train_rows),
        "test_snapshots": len(data.test_rows),
        "train_days": [data.train_days[0].isoformat(), data.train_days[-1].isoformat()],
        "test_days": [data.test_days[0].isoformat(), data.test_days[-1].isoformat()],
        "paid_rate": round(float(np.concatenate([train_y, test_y]).mean()), 4),
    }
    with transaction.atomic():
        latest = ScoreModel.objects.aggregate(high=Max("version"))["high"]
        ScoreModel.objects.filter(active=True).update(active=False)
        return ScoreModel.objects.create(
            version=(latest or 0) + 1,
            trained_on=timezone.localdate(),
            as_of=as_of,
            features=features,
            means=[float(v) for v in means],
            scales=[float(v) for v in scales],
            coefficients=[float(v) for v in fitted.coef_[0]],
            intercept=float(fitted.intercept_[0]),
            metrics=metrics,
            active=True,
        )


def model_activate(*, version: int) -> ScoreModel:
    """Make ``version`` the active model (a rollback, or forward again); the next cycle
    scores with it."""
    with transaction.atomic():
        model = ScoreModel.objects.select_for_update().filter(version=version).first()
        if model is None:
            raise InvalidInput(
                _("no score model version %(version)s") % {"version": version}, field="version"
            )
        ScoreModel.objects.filter(active=True).exclude(pk=model.pk).update(active=False)
        if not model.active:
            model.active = True
            model.save(update_fields=["active", "updated_at"])
    return model
