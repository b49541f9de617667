"""Making an assignment of debts (债权转让): loans moved to another creditor from a date,
in one transaction, set-based, each app writing its own tables.

1. The loans are picked and checked (``picking``): every refusal with every loan id.
2. The record: one ``Assignment`` and one ``AssignmentLoan`` per loan (the creditor it
   came from, its balance on the date, the notices queued) — this app's tables.
3. The ledger moves the loans (``portfolio.services.assignment.loans_assign``), the cases
   app moves their cases out of the old creditor's teams (``cases.batch.creditor_move``),
   and the outreach app queues the notices (``outreach.notices.notices_queue``): a letter
   to every debtor and guarantor, and an SMS to each one with a phone on file; the worker
   asks the compliance gate again for each before sending.
4. An audit entry names the assignment.

Until the borrower's notice is sent, a payment the old creditor records still discharges
the debt (民法典 art. 546); ``selectors.handovers`` lists those received after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from arrears.cases.batch.creditor_move import cases_creditor_move
from arrears.core.audit import audit_record
from arrears.core.errors import NotFound
from arrears.core.sql import execute, table
from arrears.outreach.notices import notices_queue
from arrears.portfolio.models import (
    Allocation,
    ContactPoint,
    Creditor,
    Installment,
    LoanParty,
    Waiver,
)
from arrears.portfolio.services.assignment import loans_assign
from arrears.portfolio.services.creditors import creditor_get_or_create
from arrears.transfers.models import Assignment, AssignmentLoan
from arrears.transfers.picking import (
    PICKED,
    loans_pick,
    picked_check,
    picked_source,
    scratch_drop,
)

NOTICE_PURPOSE = "assignment_notice"
NOTICE_TEMPLATE = "assignment-notice"
DEBTOR_ROLES = ("borrower", "co_borrower")
GUARANTOR_ROLES = ("guarantor", "counter_guarantor")


@dataclass(frozen=True)
class AssignmentMade:
    """What an assignment did: its id, the creditor, the date, the loans moved, their
    balance on the date (fen), the cases moved and the notices queued."""

    assignment_id: int
    to: str
    on: date
    loans: int
    balance: int
    price: int | None
    cases: int
    notices: int


def _notices_build() -> None:
    """The scratch table of notices to queue: a letter to each debtor and guarantor of
    each picked loan, an SMS to each of them with a phone on file (not known invalid)."""
    notice, picked = (
        connection.ops.quote_name("transfers_notice"),
        connection.ops.quote_name(PICKED),
    )
    party, point = table(LoanParty), table(ContactPoint)
    execute(f"DROP TABLE IF EXISTS {notice}")
    execute(
        f"CREATE TEMPORARY TABLE {notice} (loan_id BIGINT, party_id BIGINT,"
        " debtor INTEGER, channel VARCHAR(10))"
    )
    roles = ", ".join(f"'{role}'" for role in DEBTOR_ROLES + GUARANTOR_ROLES)
    debtor = ", ".join(f"'{role}'" for role in DEBTOR_ROLES)
    # One notice per party and channel even when a party holds two roles on a loan.
    execute(
        f"""
        INSERT INTO {notice} (loan_id, party_id, debtor, channel)
        SELECT lp.loan_id, lp.party_id, MAX(CASE WHEN lp.role IN ({debtor}) THEN 1 ELSE 0 END),
               'letter'
        FROM {party} AS lp JOIN {picked} AS t ON t.loan_pk = lp.loan_id
        WHERE lp.role IN ({roles})
        GROUP BY lp.loan_id, lp.party_id
        """
    )
    execute(
        f"""
        INSERT INTO {notice} (loan_id, party_id, debtor, channel)
        SELECT n.loan_id, n.party_id, n.debtor, 'sms' FROM {notice} AS n
        WHERE EXISTS (SELECT 1 FROM {point} AS cp WHERE cp.party_id = n.party_id
                        AND cp.kind = 'phone' AND cp.status <> 'invalid')
        """
    )


def _records_write(assignment: Assignment, on: date) -> int:
    """One ``AssignmentLoan`` per picked loan, with its balance on ``on`` — principal
    outstanding plus interest and fees due by then, less what was allocated or waived by
    then (penalty is left out: it is the replay's, and the buyer's claim restates it) —
    and the notices queued for it; the total balance (fen)."""
    picked, notice = (
        connection.ops.quote_name(PICKED),
        connection.ops.quote_name("transfers_notice"),
    )
    item, allocation, waiver = table(Installment), table(Allocation), table(Waiver)
    outstanding = "COALESCE(i.owed, 0) - COALESCE(a.paid, 0) - COALESCE(w.waived, 0)"
    execute(
        f"""
        INSERT INTO {table(AssignmentLoan)} (assignment_id, loan_id, from_creditor_id, balance,
                                             borrower_notices, guarantor_notices)
        SELECT %(assignment)s, t.loan_pk, t.creditor_id,
               CASE WHEN {outstanding} > 0 THEN {outstanding} ELSE 0 END,
               COALESCE(n.debtor_notices, 0), COALESCE(n.guarantor_notices, 0)
        FROM {picked} AS t
        LEFT JOIN (
            SELECT x.loan_id, SUM(x.principal + CASE WHEN x.due_on <= %(on)s
                                      THEN x.interest + x.fees ELSE 0 END) AS owed
            FROM {item} AS x WHERE x.loan_id IN (SELECT loan_pk FROM {picked})
            GROUP BY x.loan_id) AS i ON i.loan_id = t.loan_pk
        LEFT JOIN (
            SELECT y.loan_id, SUM(y.principal + y.interest + y.fees) AS paid
            FROM {allocation} AS y
            WHERE y.loan_id IN (SELECT loan_pk FROM {picked}) AND y.applied_on <= %(on)s
            GROUP BY y.loan_id) AS a ON a.loan_id = t.loan_pk
        LEFT JOIN (
            SELECT z.loan_id, SUM(z.principal + z.interest + z.fees) AS waived
            FROM {waiver} AS z
            WHERE z.loan_id IN (SELECT loan_pk FROM {picked}) AND z.waived_on <= %(on)s
            GROUP BY z.loan_id) AS w ON w.loan_id = t.loan_pk
        LEFT JOIN (
            SELECT m.loan_id, SUM(m.debtor) AS debtor_notices,
                   SUM(1 - m.debtor) AS guarantor_notices
            FROM {notice} AS m GROUP BY m.loan_id) AS n ON n.loan_id = t.loan_pk
        """,
        {"assignment": assignment.pk, "on": on},
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(balance), 0) FROM {table(AssignmentLoan)}"
            " WHERE assignment_id = %s",
            [assignment.pk],
        )
        return int(cursor.fetchone()[0])


def assignment_make(
    *,
    refs: Sequence[str],
    to: str,
    on: date,
    price: int | None = None,
    from_creditor: str | None = None,
    by: str = "",
) -> AssignmentMade:
    """Assign the loans ``refs`` (loan ids as the creditor numbers them) to creditor ``to``
    (created on first use, like ``ingest --creditor``) from business date ``on``, for
    ``price`` fen when given. ``from_creditor`` names the creditor they must all be of (and
    chooses among creditors sharing a loan id). Raises ``InvalidInput`` with every reason
    and every loan id when any loan may not move; nothing is written then."""
    if from_creditor is not None:
        source = Creditor.objects.filter(name=from_creditor.strip()).first()
        if source is None:
            raise NotFound(f"no creditor called '{from_creditor}'")
    else:
        source = None
    with transaction.atomic():
        target = creditor_get_or_create(name=to)
        count = loans_pick(refs=refs, from_creditor=source)
        picked_check(to_creditor=target, on=on, today=timezone.localdate())
        assignment = Assignment.objects.create(
            to_creditor=target, on=on, price=price, by=by, loans_count=count
        )
        _notices_build()
        balance = _records_write(assignment, on)
        reason = f"debt assigned to {target.name} from {on.isoformat()}"
        loans_assign(source=picked_source(), params={}, to_creditor_id=target.pk, on=on)
        cases = cases_creditor_move(
            source=picked_source(),
            params={},
            to_creditor_id=target.pk,
            on=on,
            at=assignment.created_at,
            reason=reason,
        )
        queued = notices_queue(
            source="SELECT loan_id, party_id, channel FROM transfers_notice",
            params={},
            purpose=NOTICE_PURPOSE,
            template=NOTICE_TEMPLATE,
            at=assignment.created_at,
        )
        # Remembered so each loan's notices are found again by primary key.
        Assignment.objects.filter(pk=assignment.pk).update(
            notices_from_id=queued.first_id, notices_to_id=queued.last_id
        )
        audit_record(
            actor=None,
            action="transfers.assignment_make",
            subject_type="assignment",
            subject_id=assignment.pk,
            data={
                "to": target.name,
                "on": on.isoformat(),
                "loans": count,
                "balance": balance,
                "price": price,
                "by": by,
            },
        )
        scratch_drop()
        execute("DROP TABLE IF EXISTS transfers_notice")
    return AssignmentMade(
        assignment_id=assignment.pk,
        to=target.name,
        on=on,
        loans=count,
        balance=balance,
        price=price,
        cases=cases,
        notices=queued.count,
    )
