"""Reading assignments: a loan's latest one with its borrower notice, and the receipts the
old creditor must hand over.

Whether a notice was sent is read from the outbox (the record of what left) each time,
never copied: ``sent_at`` of the borrower's assignment notice, letter or SMS, whichever
left first. That moment is when the assignment binds the borrower (民法典 art. 546): a
payment the old creditor recorded before it discharged the debt; one dated on or after
its day is the assignee's money, to be handed over.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection

from arrears.compliance.rules import DEFAULT_TIME_ZONE
from arrears.core.money import format_yuan
from arrears.core.sql import table
from arrears.outreach.models import OutboxMessage
from arrears.outreach.notices import SENT_STATES
from arrears.portfolio.models import Creditor, Loan, LoanParty, Payment
from arrears.transfers.models import Assignment, AssignmentLoan

NOTICE_PURPOSE = "assignment_notice"


def _local_day(moment: datetime | str | None) -> date | None:
    """The business day of a wall-clock moment (SQLite hands back text)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date()


def borrower_notices_sent(assignment_ids: list[int]) -> dict[tuple[int, int], date]:
    """For each (assignment, loan) of ``assignment_ids`` whose borrower notice has left,
    the day it left: a few queries, by the outbox ids each assignment's notices took."""
    found: dict[tuple[int, int], date] = {}
    ranges = Assignment.objects.filter(pk__in=assignment_ids, notices_from_id__isnull=False)
    outbox, party = table(OutboxMessage), table(LoanParty)
    states = ", ".join(f"'{state}'" for state in SENT_STATES)
    with connection.cursor() as cursor:
        for pk, first, last in ranges.values_list("pk", "notices_from_id", "notices_to_id"):
            cursor.execute(
                f"""
                SELECT o.loan_id, MIN(o.sent_at) FROM {outbox} AS o
                WHERE o.id BETWEEN %(first)s AND %(last)s AND o.purpose = %(purpose)s
                  AND o.status IN ({states}) AND EXISTS (
                    SELECT 1 FROM {party} AS lp WHERE lp.loan_id = o.loan_id
                      AND lp.party_id = o.party_id AND lp.role = 'borrower')
                GROUP BY o.loan_id
                """,
                {"first": first, "last": last, "purpose": NOTICE_PURPOSE},
            )
            for loan_id, sent_at in cursor.fetchall():
                day = _local_day(sent_at)
                if day is not None:
                    found[(pk, loan_id)] = day
    return found


def loan_assignment(loan: Loan) -> dict[str, Any] | None:
    """The ``assignment`` key of ``arrears loan --json``: the loan's latest assignment as
    ``{"from", "to", "on", "notice_sent_on"}`` (creditor names, ISO dates; the notice
    ``None`` while the borrower's has not left), or ``None`` for a loan never assigned."""
    row = (
        AssignmentLoan.objects.filter(loan=loan)
        .order_by("-assignment_id")
        .values_list("assignment_id", "from_creditor_id", "assignment__to_creditor__name",
                     "assignment__on")
        .first()
    )  # fmt: skip
    if row is None:
        return None
    assignment_id, from_id, to_name, on = row
    sent = borrower_notices_sent([assignment_id]).get((assignment_id, loan.pk))
    return {
        "from": Creditor.objects.filter(pk=from_id).values_list("name", flat=True).first(),
        "to": to_name,
        "on": on.isoformat(),
        "notice_sent_on": sent.isoformat() if sent else None,
    }


@dataclass(frozen=True)
class Handover:
    """A payment the old creditor recorded on or after the borrower's notice day: the
    assignee's money, which the old creditor must hand over."""

    loan_id: str
    payment_id: str
    paid_on: date
    amount: int
    received_by: str
    assigned_to: str
    assigned_on: date
    notice_sent_on: date

    def as_dict(self) -> dict[str, str]:
        return {
            "loan_id": self.loan_id,
            "payment_id": self.payment_id,
            "paid_on": self.paid_on.isoformat(),
            "amount": format_yuan(self.amount),
            "received_by": self.received_by,
            "assigned_to": self.assigned_to,
            "assigned_on": self.assigned_on.isoformat(),
            "notice_sent_on": self.notice_sent_on.isoformat(),
        }


def handovers(*, received_by: Creditor | None = None) -> list[Handover]:
    """Every payment recorded by a creditor a loan was assigned away from (of
    ``received_by`` only, when given), dated on or after the day the borrower's notice of
    that assignment was sent; by creditor, loan and day. Payments dated before the
    assignment date were the old creditor's own, and those before the notice discharged
    the debt (art. 546): neither is listed."""
    payment, record, assignment, loan, creditor = (
        table(Payment),
        table(AssignmentLoan),
        table(Assignment),
        table(Loan),
        table(Creditor),
    )
    only = "AND p.received_by_id = %(by)s" if received_by is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT r.assignment_id, r.loan_id, l.loan_id, p.payment_id, p.paid_on, p.amount,
                   c.name, t.name, a."on"
            FROM {payment} AS p
            JOIN {record} AS r ON r.loan_id = p.loan_id AND r.from_creditor_id = p.received_by_id
            JOIN {assignment} AS a ON a.id = r.assignment_id
            JOIN {loan} AS l ON l.id = p.loan_id
            JOIN {creditor} AS c ON c.id = p.received_by_id
            JOIN {creditor} AS t ON t.id = a.to_creditor_id
            WHERE p.paid_on >= a."on" {only}
            ORDER BY c.name, l.loan_id, p.paid_on, p.payment_id
            """,
            {"by": received_by.pk if received_by is not None else None},
        )
        rows = cursor.fetchall()
    by_assignment: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_assignment[row[0]].append(row)
    sent = borrower_notices_sent(list(by_assignment))
    found: list[Handover] = []
    for row in rows:
        assignment_id, loan_pk, loan_id, payment_id, paid_on, amount, by, to, on = row
        notice = sent.get((assignment_id, loan_pk))
        paid_on = paid_on if isinstance(paid_on, date) else date.fromisoformat(paid_on)
        if notice is None or paid_on < notice:
            continue
        on = on if isinstance(on, date) else date.fromisoformat(on)
        found.append(Handover(loan_id, payment_id, paid_on, int(amount), by, to, on, notice))
    return found
