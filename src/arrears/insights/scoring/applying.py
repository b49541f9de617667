"""Applying the active model to feature rows: probabilities, grades and reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from arrears.insights.models import ScoreModel
from arrears.insights.scoring.matrix import (
    Weights,
    design_matrix,
    effects,
    grades,
    probabilities,
    reasons,
)


@dataclass(frozen=True)
class Scored:
    """The scores of feature rows, in the rows' order."""

    values: list[float]
    grades: list[str]
    reasons: list[list[tuple[str, float]]]


def weights_of(model: ScoreModel) -> Weights:
    """A stored version's numbers."""
    return Weights(
        features=tuple(model.features),
        means=tuple(model.means),
        scales=tuple(model.scales),
        coefficients=tuple(model.coefficients),
        intercept=float(model.intercept),
    )


def rows_score(rows: Sequence[Sequence[Any]], weights: Weights) -> Scored:
    """Score feature rows (``features.COLUMNS``) with ``weights``, set-based in numpy."""
    matrix = design_matrix(rows, weights.features)
    values = probabilities(matrix, weights)
    rounded = [round(float(v), 4) for v in values]
    return Scored(
        values=rounded,
        grades=grades(values),
        reasons=reasons(effects(matrix, weights), weights.features),
    )
