"""Risk grades in bulk: the set-based hand-over of the grades another app computed
(``risk_grades_set``), so the insights app's score step never writes this app's table."""

from __future__ import annotations

from typing import Any

from arrears.cases.models import CollectionCase
from arrears.core.sql import execute, table

# What ``risk_grades_set`` reads from its source, in this order.
RISK_GRADE_SOURCE_COLUMNS = ("case_id", "grade")


def risk_grades_set(*, source: str, params: dict[str, Any]) -> int:
    """Set the ``risk_grade`` (A lowest risk … E highest) of every open case named by
    ``source``, a SELECT (with ``params``) yielding ``RISK_GRADE_SOURCE_COLUMNS`` in order —
    one statement, for the insights app's score step. Only grades that change are written,
    so a step run twice writes nothing the second time; closed cases keep the grade they
    closed with."""
    cases = table(CollectionCase)
    return execute(
        f"""
        UPDATE {cases} AS c SET risk_grade = s.grade
        FROM ({source}) AS s
        WHERE c.id = s.case_id AND c.status = 'open' AND c.risk_grade <> s.grade
        """,
        params,
    )
