"""The insights app's cycle step, ``cases_score`` (step ``score``): every open case of a
partition scored by the active propensity model, set-based.

One query reads the features of the partition's open cases (``scoring.features``), numpy
scores them, the partition's previous scores are replaced in bulk (COPY on PostgreSQL), and
the grades are handed to the cases app as its cases' risk grades (``risk_grades_set``),
which the queue reads. Without an active model the step does nothing.
"""

from __future__ import annotations

import json
from datetime import date

from arrears.cases.batch.risk import risk_grades_set
from arrears.core.bulk import bulk_insert
from arrears.core.sql import execute, table
from arrears.insights.models import CaseScore, ScoreModel
from arrears.insights.scoring.features import feature_rows, open_case_snapshots

SCORE_COLUMNS = (
    "case_id",
    "loan_id",
    "scored_on",
    "value",
    "grade",
    "reasons",
    "model_version",
)


def cases_score(*, first: int, last: int, on: date) -> int:
    """Score the open cases of loans ``first``–``last`` on ``on`` with the active model;
    the cases scored. Idempotent for the date: a second run writes the same rows."""
    model = ScoreModel.objects.filter(active=True).first()
    if model is None:
        return 0
    # numpy only here, with a model to apply: importing it cost every start of `arrears
    # cycle` and `arrears worker` (whose runner lists this step) 50-70 ms.
    from arrears.insights.scoring.applying import rows_score, weights_of

    rows = feature_rows(open_case_snapshots(first=first, last=last, on=on))
    scored = rows_score(rows, weights_of(model))
    scores = table(CaseScore)
    params = {"first": first, "last": last}
    execute(f"DELETE FROM {scores} WHERE loan_id BETWEEN %(first)s AND %(last)s", params)
    written = bulk_insert(
        CaseScore._meta.db_table,
        SCORE_COLUMNS,
        (
            (
                row[0],
                row[1],
                on,
                value,
                grade,
                json.dumps(reasons, separators=(",", ":")),
                model.version,
            )
            for row, value, grade, reasons in zip(
                rows, scored.values, scored.grades, scored.reasons, strict=True
            )
        ),
    )
    risk_grades_set(
        source=f"SELECT case_id, grade FROM {scores} WHERE loan_id BETWEEN %(first)s AND %(last)s",
        params=params,
    )
    return written
