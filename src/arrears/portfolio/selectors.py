"""Reads of the portfolio: finding creditors and loans, and a loan's state on a date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from arrears.core.errors import InvalidInput, NotFound
from arrears.core.frozen import FrozenQuery
from arrears.portfolio.calculations.allocation import (
    LoanState,
    LoanTerms,
    PaymentIn,
    WaiverIn,
    replay,
)
from arrears.portfolio.calculations.schedule import ScheduledInstallment
from arrears.portfolio.models import Creditor, Installment, Loan, Payment, Waiver


def creditor_choose(name: str | None) -> Creditor:
    """The creditor a command works on: the one named, or the only one there is.

    Raises ``InvalidInput`` naming the choices when there are several and none was given.
    """
    if name:
        creditor = Creditor.objects.filter(name=name.strip()).first()
        if creditor is None:
            raise NotFound(f"no creditor called '{name}'")
        return creditor
    names = list(Creditor.objects.order_by("name").values_list("name", flat=True)[:21])
    if not names:
        raise InvalidInput("there is no creditor yet: pass --creditor NAME", field="creditor")
    if len(names) > 1:
        shown = ", ".join(names[:20]) + (" …" if len(names) > 20 else "")
        raise InvalidInput(
            f"several creditors exist ({shown}): pass --creditor NAME", field="creditor"
        )
    return Creditor.objects.get(name=names[0])


def creditor_names() -> list[str]:
    """All creditor names, for a prompt."""
    return list(Creditor.objects.order_by("name").values_list("name", flat=True))


def loan_get(
    *, loan_id: str, creditor: Creditor | None = None, loans: QuerySet[Loan] | None = None
) -> Loan:
    """The loan with this ``loan_id`` (the creditor's contract number) among ``loans``.

    Without a creditor the id must be unambiguous across creditors.
    """
    queryset = (loans if loans is not None else Loan.objects.all()).select_related(
        "creditor", "product"
    )
    if creditor is not None:
        queryset = queryset.filter(creditor=creditor)
    found = list(queryset.filter(loan_id=loan_id)[:2])
    if not found:
        raise NotFound(f"loan '{loan_id}' not found")
    if len(found) > 1:
        raise InvalidInput(
            f"loan id '{loan_id}' exists for several creditors: name the creditor",
            field="creditor",
        )
    return found[0]


def loan_terms(loan: Loan) -> LoanTerms:
    """The calculation terms of a loan (penalty rate, grace, day count, allocation order)."""
    return LoanTerms(
        penalty_rate=Decimal(loan.penalty_rate),
        grace_days=loan.grace_days,
        day_count=loan.day_count,
        allocation_order=tuple(part.strip() for part in loan.allocation_order.split(",")),
    )


# Read for every case page and claim: compiled once per process (``core.frozen``).
_SCHEDULE = FrozenQuery(
    lambda loan_id: (
        Installment.objects.filter(loan_id=loan_id)
        .order_by("seq")
        .values_list("seq", "due_on", "principal", "interest", "fees")
    )
)


def installments_of(loan: Loan) -> list[ScheduledInstallment]:
    """The loan's schedule as calculation inputs."""
    return [
        ScheduledInstallment(seq=seq, due_on=due_on, principal=p, interest=i, fees=f)
        for seq, due_on, p, i, f in _SCHEDULE.list(loan_id=loan.pk)
    ]


def payments_of(loan: Loan, *, through: date | None = None) -> list[PaymentIn]:
    """The loan's payments as calculation inputs (those counting on or before ``through``)."""
    queryset = Payment.objects.filter(loan=loan)
    if through is not None:
        queryset = queryset.filter(paid_on__lte=through)
    return [
        PaymentIn(key=key, paid_on=paid_on, amount=amount)
        for key, paid_on, amount in queryset.values_list("payment_id", "paid_on", "amount")
    ]


def waivers_of(loan: Loan, *, through: date | None = None) -> list[WaiverIn]:
    """The loan's waivers as calculation inputs (those counting on or before ``through``)."""
    queryset = Waiver.objects.filter(loan=loan)
    if through is not None:
        queryset = queryset.filter(waived_on__lte=through)
    return [
        WaiverIn(key, waived_on, principal, interest, fees, penalty)
        for key, waived_on, principal, interest, fees, penalty in queryset.values_list(
            "reference", "waived_on", "principal", "interest", "fees", "penalty"
        )
    ]


def loan_state(loan: Loan, *, as_of: date) -> LoanState:
    """The state of ``loan`` on business date ``as_of``: the replay of its payments and
    waivers."""
    return replay(
        installments=installments_of(loan),
        payments=payments_of(loan, through=as_of),
        terms=loan_terms(loan),
        as_of=as_of,
        waivers=waivers_of(loan, through=as_of),
    )


def loans_by_ids(ids: Sequence[int]) -> QuerySet[Loan]:
    """Loans by primary key, with what a report of them needs."""
    return Loan.objects.filter(pk__in=ids).select_related("creditor", "product")


def portfolio_counts() -> dict[str, int]:
    """Headline counts for the landing page (three cheap COUNT queries)."""
    return {
        "creditors": Creditor.objects.count(),
        "loans": Loan.objects.count(),
        "payments": Payment.objects.count(),
    }
