"""The weekly stop-loss list (止损建议): open cases whose expected recovery is below what it
would cost to keep collecting them, for a manager to act on (propose a write-off, place with
an agency, or keep with a reason).

Formula (docs/closing.md keeps the same words), all in fen:

- balance = principal outstanding + overdue interest + overdue fees + overdue penalty, from
  the loan's position of the last cycle;
- expected recovery = the case's propensity score (``CaseScore.value``: the probability of
  a payment within 30 days) × balance;
- cost to collect = Σ over channels of the unit cost (``ARREARS_CHANNEL_COSTS``, as the
  strategy simulation prices them) × the expected remaining actions on that channel:
  ``EXPECTED_ACTIONS``, a month of standard effort — 8 calls, 8 text messages, one letter
  and one field visit;
- listed when expected recovery < cost to collect. A case without a score is not listed
  (nothing to weigh).

Set-based: one query over the open cases, the scores and the positions. The scores are the
latest (the cycle replaces them daily); the week (its Monday) names the list and the keep
decisions taken on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import ExpressionWrapper, F, FloatField, QuerySet

from arrears.cases.models import CollectionCase
from arrears.core.models import AuditEntry
from arrears.core.money import format_yuan
from arrears.strategy.simulation.costs import channel_costs

EXPECTED_ACTIONS: dict[str, int] = {"call": 8, "sms": 8, "letter": 1, "visit": 1}
KEEP_ACTION = "stop_loss.keep"


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def cost_to_collect() -> int:
    """The expected cost (fen) of a month more of collection on one case."""
    costs = channel_costs()
    return sum(costs[channel] * count for channel, count in EXPECTED_ACTIONS.items())


@dataclass(frozen=True)
class StopLossRow:
    """One recommended case: its balance, score, expected recovery and the cost (fen)."""

    case_id: int
    loan_id: str
    creditor: str
    bucket: str
    balance: int
    score: float
    expected_recovery: int
    cost: int
    kept_reason: str


def stop_loss_cases(
    *, week: date, cases: QuerySet[CollectionCase] | None = None
) -> list[StopLossRow]:
    """The open cases (of ``cases``, default all) whose expected recovery is below the cost
    to collect, lowest expected recovery first; each with the keep reason recorded for
    ``week``, if any."""
    cost = cost_to_collect()
    position = "loan__position__"
    balance = (
        F(f"{position}principal_outstanding")
        + F(f"{position}overdue_interest")
        + F(f"{position}overdue_fees")
        + F(f"{position}overdue_penalty")
    )
    base = cases if cases is not None else CollectionCase.objects.all()
    rows = (
        base.filter(status="open", propensity__isnull=False, loan__position__isnull=False)
        .annotate(
            balance=balance,
            expected=ExpressionWrapper(F("propensity__value") * balance, output_field=FloatField()),
        )
        .filter(expected__lt=cost)
        .order_by("expected", "id")
        .values_list(
            "id",
            "loan__loan_id",
            "creditor__name",
            "bucket",
            "balance",
            "propensity__value",
            "expected",
        )
    )
    found = list(rows)
    kept = _kept(week, [row[0] for row in found])
    return [
        StopLossRow(
            case_id=case_id,
            loan_id=loan_id,
            creditor=creditor,
            bucket=bucket,
            balance=int(amount),
            score=float(score),
            expected_recovery=round(expected),
            cost=cost,
            kept_reason=kept.get(case_id, ""),
        )
        for case_id, loan_id, creditor, bucket, amount, score, expected in found
    ]


def _kept(week: date, case_ids: list[int]) -> dict[int, str]:
    """The keep reasons recorded for ``week`` on these cases (audit entries)."""
    if not case_ids:
        return {}
    entries = AuditEntry.objects.filter(
        action=KEEP_ACTION, subject_type="case", subject_id__in=[str(i) for i in case_ids]
    ).values_list("subject_id", "data")
    found: dict[int, str] = {}
    for subject_id, data in entries:
        if isinstance(data, dict) and data.get("week") == week.isoformat():
            found[int(subject_id)] = str(data.get("reason", ""))
    return found


def stop_loss_report(rows: list[StopLossRow], week: date) -> dict[str, Any]:
    """The list as JSON-ready values (money in yuan strings)."""
    return {
        "week": week.isoformat(),
        "cost_to_collect": format_yuan(cost_to_collect()),
        "expected_actions": EXPECTED_ACTIONS,
        "cases": [
            {
                "case": row.case_id,
                "loan": row.loan_id,
                "creditor": row.creditor,
                "bucket": row.bucket,
                "balance": format_yuan(row.balance),
                "score": round(row.score, 4),
                "expected_recovery": format_yuan(row.expected_recovery),
                "cost": format_yuan(row.cost),
                "kept": row.kept_reason,
            }
            for row in rows
        ],
    }
