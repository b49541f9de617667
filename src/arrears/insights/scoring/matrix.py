"""The propensity model's arithmetic, in numpy: feature rows to a design matrix, a stored
model's probabilities, grades and reasons. Pure: no Django, no database.

A model is plain numbers (``Weights``): the feature names, each feature's mean and scale
(the standardisation learnt at training), one coefficient per feature and an intercept.
The score is the logistic of ``intercept + Σ coef·(x − mean)/scale``; each term of the sum
is that feature's effect against the average training case, and the three largest effects
(by size, ties by name) are the case's reasons — the same inputs always give the same
reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]

# The numeric features, computed from the feature statement's columns (features.COLUMNS).
NUMERIC_FEATURES = (
    "dpd",
    "overdue_log",
    "outstanding_log",
    "overdue_share",
    "months_on_book",
    "days_since_payment",
    "payments_90d",
    "paid_90d_share",
    "promises_kept",
    "promises_broken",
    "promise_open",
    "contacts_90d",
    "right_party_90d",
    "negative_90d",
)
# One-hot features are named "<kind>:<value>": the loan's product code and its segment
# (guarantee type).
CATEGORY_KINDS = ("product", "segment")
DPD_CAP = 720
DAYS_SINCE_PAYMENT_CAP = 365
PAID_SHARE_CAP = 5.0
# Grade cut-offs on the probability to pay: A from 0.8, B from 0.6, C from 0.4, D from 0.2,
# E below (A most likely to pay, E least — the cases app's risk grade, A lowest risk).
GRADE_CUTS = ((0.8, "A"), (0.6, "B"), (0.4, "C"), (0.2, "D"))
REASONS = 3


@dataclass(frozen=True)
class Weights:
    """A stored model: what ``ScoreModel`` keeps, as numbers."""

    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float


def numeric_block(rows: Sequence[Sequence[Any]]) -> Matrix:
    """The numeric features of feature-statement rows (``features.COLUMNS`` order)."""
    if not len(rows):
        return np.zeros((0, len(NUMERIC_FEATURES)))
    columns = list(zip(*rows, strict=False))

    def column(index: int) -> Matrix:
        return np.asarray(columns[index], dtype=np.float64)

    dpd, overdue, outstanding = column(3), np.maximum(column(4), 0.0), column(5)
    age = np.maximum(column(6), 0.0)
    return np.column_stack(
        [
            np.minimum(dpd, DPD_CAP),
            np.log1p(overdue / 100.0),
            np.log1p(np.maximum(outstanding, 0.0) / 100.0),
            overdue / np.maximum(overdue + np.maximum(outstanding, 0.0), 1.0),
            age / 30.0,
            np.clip(column(9), 0.0, DAYS_SINCE_PAYMENT_CAP),
            column(10),
            np.minimum(column(11) / np.maximum(overdue, 1.0), PAID_SHARE_CAP),
            column(12),
            column(13),
            np.minimum(column(14), 1.0),
            column(15),
            column(16),
            column(17),
        ]
    )


def category_names(rows: Sequence[Sequence[Any]]) -> list[str]:
    """The one-hot features the rows' products and segments call for, sorted."""
    names = {f"product:{row[7]}" for row in rows if row[7]}
    names |= {f"segment:{row[8]}" for row in rows if row[8]}
    return sorted(names)


def design_matrix(rows: Sequence[Sequence[Any]], features: Sequence[str]) -> Matrix:
    """The matrix of ``features`` (numeric ones and ``kind:value`` one-hot columns, in the
    order given) for ``rows``; a category the model never saw is all zeros."""
    if not len(rows):
        return np.zeros((0, len(features)))
    numeric = numeric_block(rows)
    position = {name: index for index, name in enumerate(NUMERIC_FEATURES)}
    categories = {
        "product": np.array([row[7] for row in rows], dtype=object),
        "segment": np.array([row[8] for row in rows], dtype=object),
    }
    matrix = np.zeros((len(rows), len(features)))
    for column, name in enumerate(features):
        if name in position:
            matrix[:, column] = numeric[:, position[name]]
        else:
            kind, _sep, value = name.partition(":")
            matrix[:, column] = categories[kind] == value
    return matrix


def effects(matrix: Matrix, weights: Weights) -> Matrix:
    """Each feature's term of the log-odds, row by row (``coef·(x − mean)/scale``)."""
    means, scales = np.array(weights.means), np.array(weights.scales)
    return (matrix - means) / scales * np.array(weights.coefficients)


def probabilities(matrix: Matrix, weights: Weights) -> Matrix:
    """The probability to pay of each row."""
    logit = weights.intercept + effects(matrix, weights).sum(axis=1)
    return 1.0 / (1.0 + np.exp(-logit))


def grade_of(value: float) -> str:
    """The grade of a probability to pay (``GRADE_CUTS``)."""
    for cut, grade in GRADE_CUTS:
        if value >= cut:
            return grade
    return "E"


def grades(values: Matrix) -> list[str]:
    """The grade of each probability, vectorised."""
    bins = np.digitize(values, [cut for cut, _grade in reversed(GRADE_CUTS)])
    letters = np.array(["E", "D", "C", "B", "A"])
    return list(letters[bins])


def reasons(terms: Matrix, features: Sequence[str]) -> list[list[tuple[str, float]]]:
    """The ``REASONS`` largest effects of each row, biggest first (ties by feature name),
    each ``(feature, effect)`` with the effect rounded to 4 decimals; a zero effect is no
    reason."""
    if not len(features) or not len(terms):
        return [[] for _ in range(len(terms))]
    names = list(features)
    rounded = np.round(terms, 4)
    # lexsort's last key leads: size descending, then the name for a stable tie-break.
    name_rank = np.broadcast_to(np.argsort(np.argsort(np.array(names))), rounded.shape)
    order = np.lexsort((name_rank, -np.abs(rounded)), axis=-1)[:, :REASONS]
    picked = np.take_along_axis(rounded, order, axis=-1)
    return [
        [(names[i], float(v)) for i, v in zip(row, values, strict=True) if v != 0]
        for row, values in zip(order.tolist(), picked.tolist(), strict=True)
    ]


def standardise(matrix: Matrix) -> tuple[Matrix, Matrix]:
    """Column means and scales (standard deviations; 1 where a column is constant)."""
    means = matrix.mean(axis=0)
    scales = matrix.std(axis=0)
    scales[scales < 1e-12] = 1.0
    return means, scales
