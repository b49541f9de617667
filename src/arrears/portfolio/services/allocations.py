"""Rebuilding the allocation journal of loans by replaying their payments.

Allocations of a payment depend on every earlier payment of the loan, so a new or
backdated payment re-derives the loan's whole journal. The work is chunked: a fixed number
of queries per chunk of loans, the replay itself in pure Python. Waivers take part in the
replay (a payment after a penalty waiver reaches principal sooner) but the journal holds
only what payments settled: a waiver moved no money.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction

from arrears.core.bulk import bulk_insert, chunked
from arrears.portfolio.calculations.allocation import LoanTerms, PaymentIn, WaiverIn, replay
from arrears.portfolio.calculations.schedule import ScheduledInstallment
from arrears.portfolio.models import Allocation, Installment, Loan, Payment, Waiver

REBUILD_CHUNK = 2_000
ALLOCATION_COLUMNS = [
    "loan_id",
    "payment_id",
    "installment_id",
    "applied_on",
    "principal",
    "interest",
    "fees",
    "penalty",
]


def allocations_rebuild(*, loan_ids: Sequence[int]) -> int:
    """Replace the allocations of ``loan_ids`` with a fresh replay; returns rows written."""
    written = 0
    for batch in chunked(list(loan_ids), REBUILD_CHUNK):
        with transaction.atomic():
            written += _rebuild_chunk(batch)
    return written


def _rebuild_chunk(loan_ids: Sequence[int]) -> int:
    terms: dict[int, LoanTerms] = {
        pk: LoanTerms(
            penalty_rate=Decimal(penalty_rate),
            grace_days=grace_days,
            day_count=day_count,
            allocation_order=tuple(allocation_order.split(",")),
        )
        for pk, penalty_rate, grace_days, day_count, allocation_order in Loan.objects.filter(
            pk__in=loan_ids
        ).values_list("pk", "penalty_rate", "grace_days", "day_count", "allocation_order")
    }
    schedules: dict[int, list[ScheduledInstallment]] = defaultdict(list)
    installment_pk: dict[tuple[int, int], int] = {}
    for pk, loan_id, seq, due_on, principal, interest, fees in (
        Installment.objects.filter(loan_id__in=loan_ids)
        .order_by("loan_id", "seq")
        .values_list("pk", "loan_id", "seq", "due_on", "principal", "interest", "fees")
    ):
        schedules[loan_id].append(ScheduledInstallment(seq, due_on, principal, interest, fees))
        installment_pk[(loan_id, seq)] = pk
    payments: dict[int, list[PaymentIn]] = defaultdict(list)
    payment_pk: dict[tuple[int, str], int] = {}
    for pk, loan_id, payment_id, paid_on, amount in Payment.objects.filter(
        loan_id__in=loan_ids
    ).values_list("pk", "loan_id", "payment_id", "paid_on", "amount"):
        payments[loan_id].append(PaymentIn(payment_id, paid_on, amount))
        payment_pk[(loan_id, payment_id)] = pk
    waivers: dict[int, list[WaiverIn]] = defaultdict(list)
    for loan_id, reference, waived_on, principal, interest, fees, penalty in Waiver.objects.filter(
        loan_id__in=loan_ids
    ).values_list("loan_id", "reference", "waived_on", "principal", "interest", "fees", "penalty"):
        waivers[loan_id].append(WaiverIn(reference, waived_on, principal, interest, fees, penalty))

    def rows() -> Iterable[tuple[object, ...]]:
        for loan_id in loan_ids:
            schedule = schedules.get(loan_id)
            if not schedule or not payments.get(loan_id):
                continue
            # Through the last due date or payment, so credit held for later installments
            # shows as the allocations it will become on their due dates.
            horizon = max([schedule[-1].due_on, *(p.paid_on for p in payments[loan_id])])
            state = replay(
                installments=schedule,
                payments=payments[loan_id],
                terms=terms[loan_id],
                as_of=horizon,
                waivers=waivers.get(loan_id, ()),
            )
            for line in state.allocations:
                if line.waiver:
                    continue
                yield (
                    loan_id,
                    payment_pk[(loan_id, line.payment_key)],
                    installment_pk[(loan_id, line.seq)],
                    line.applied_on,
                    line.principal,
                    line.interest,
                    line.fees,
                    line.penalty,
                )

    Allocation.objects.filter(loan_id__in=loan_ids).delete()
    return bulk_insert(Allocation._meta.db_table, ALLOCATION_COLUMNS, rows())
