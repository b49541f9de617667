"""The cycle step that judges what borrowers committed to: promises to pay and repayment
plans, for one partition of loans and one business date."""

from __future__ import annotations

from datetime import date

from arrears.cases.batch.plans import plans_judge
from arrears.cases.batch.promises import promises_judge


def commitments_judge(*, first: int, last: int, on: date) -> int:
    """Judge the commitments of loans ``first``–``last`` on ``on``; rows written.

    Runs right after the cases step, so the day's payments are posted and a broken promise
    or plan is known before the strategy plans the day's work (a broken plan resumes the
    playbook it had paused).
    """
    return promises_judge(first=first, last=last, on=on) + plans_judge(
        first=first, last=last, on=on
    )
