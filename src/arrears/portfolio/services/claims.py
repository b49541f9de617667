"""A guarantor's pay-out (代偿) on the ledger: the lender's loan settled and compensated, and
the guarantor's recourse claim (追偿) created as a loan of its own.

The guarantee app composes these with its own record of the pay-out; here is only what the
ledger must know. The pay-out is a payment like any other (``payment_post``: allocated by
the loan's order, audited, the loan replayed), after which the loan's status is
``compensated``: the cycle no longer replays it (``batch.replay.stale_loans`` reads active
loans), so its stored position is brought to the settled state here, once, and stays.

The recourse claim is an ordinary loan of the guarantee company: principal = the amount
paid, one installment due on the pay-out day, no interest, the agreed recourse penalty
rate. Its DPD therefore counts from the pay-out day and the cycle, cases, playbooks and
the legal app treat it like any loan. Its parties are the original loan's borrower,
co-borrowers and counter-guarantors, the same ``Party`` rows linked by new ``LoanParty``
rows, so a person's contact points, holds and contact history stay one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan
from arrears.portfolio.batch.replay import refresh
from arrears.portfolio.calculations.allocation import PaymentIn, replay
from arrears.portfolio.choices import LenderType, LoanStatus, PartyRole, RepaymentMethod
from arrears.portfolio.models import (
    Creditor,
    Installment,
    Loan,
    LoanParty,
    LoanPosition,
    Payment,
    Product,
)
from arrears.portfolio.selectors import installments_of, loan_terms, payments_of, waivers_of
from arrears.portfolio.services.payment_post import payment_post

# The roles that follow the debt to the guarantor's claim: those liable to the guarantor
# (民法典 art. 700: the guarantor who paid has recourse against the debtor; counter-guarantors
# secured exactly that recourse). The lender's own guarantors (the company itself among
# them) and emergency contacts do not follow.
CLAIM_ROLES = (PartyRole.BORROWER, PartyRole.CO_BORROWER, PartyRole.COUNTER_GUARANTOR)
CLAIM_SUFFIX = "-DC"  # 代偿
RECOURSE_PRODUCT = "recourse"
PAYOUT_CHANNEL = "guarantee_payout"
RATE_QUANTUM = Decimal("0.00000001")
# A probe payment far above any loan: what it leaves as credit tells what the loan owed.
_PROBE = 10**15


def loan_owed_on(loan: Loan, on: date) -> int:
    """Fen that settle ``loan`` entirely if paid on ``on``: the unpaid amounts of the
    installments due through ``on`` (penalty accrued through the day before, as a payment
    on ``on`` settles it), plus every later installment in full (principal, interest and
    fees as scheduled), less credit already held.

    Worked out by the replay itself, so it is exact to the fen under the loan's allocation
    order: a probe payment on ``on`` is replayed through the last due date, and what the
    loan took of it is what it owed. Payments after ``on`` are left out.
    """
    schedule = installments_of(loan)
    last_due = max((item.due_on for item in schedule), default=on)
    state = replay(
        installments=schedule,
        payments=[*payments_of(loan, through=on), PaymentIn("\x00probe", on, _PROBE)],
        terms=loan_terms(loan),
        as_of=max(on, last_due),
        allocations=False,
        waivers=waivers_of(loan, through=on),
    )
    # Credit the loan already held is spent before the probe (first in, first out), so
    # what is left of the probe is exactly what new money the loan did not need.
    return _PROBE - state.credit_balance


@dataclass(frozen=True)
class Compensation:
    """The pay-out as the ledger recorded it: the payment and what the loan owed that day."""

    payment: Payment
    owed: int


def _check_payout(loan: Loan, amount: int, on: date) -> int:
    if loan.status != LoanStatus.ACTIVE:
        raise InvalidInput(
            _("loan %(loan)s is %(status)s: only an active loan can be paid out")
            % {"loan": loan.loan_id, "status": loan.get_status_display()},
            field="loan",
        )
    if on > timezone.localdate():
        raise InvalidInput(_("%(day)s is in the future") % {"day": on}, field="on")
    if on < loan.disbursed_on:
        raise InvalidInput(
            _("%(day)s is before the loan was disbursed (%(disbursed)s)")
            % {"day": on, "disbursed": loan.disbursed_on},
            field="on",
        )
    if amount <= 0:
        raise InvalidInput(_("the amount paid out must be more than zero"), field="amount")
    later = Payment.objects.filter(loan=loan, paid_on__gt=on).order_by("paid_on").first()
    if later is not None:
        raise InvalidInput(
            _("the loan has a payment on %(day)s, after %(on)s: a pay-out is the loan's last money")
            % {"day": later.paid_on, "on": on},
            field="on",
        )
    owed = loan_owed_on(loan, on)
    if amount > owed:
        raise InvalidInput(
            _("%(amount)s is more than the loan owes on %(on)s (%(owed)s)")
            % {"amount": format_yuan(amount), "on": on, "owed": format_yuan(owed)},
            field="amount",
        )
    return owed


def loan_compensate(
    *,
    loan: Loan,
    amount: int,
    on: date,
    payment_id: str,
    by: AbstractBaseUser | None = None,
) -> Compensation:
    """Record that the guarantor paid ``amount`` fen of ``loan`` to its lender on ``on``.

    Refused (``InvalidInput``) unless the loan is active, ``on`` is neither in the future
    nor before disbursement nor before a payment already on file, and 0 < ``amount`` ≤
    what the loan owes on ``on`` (``loan_owed_on``). The payment is posted like any other
    (channel ``guarantee_payout``), the loan becomes ``compensated`` and, when the cycle
    has already given it a position, that position is rebuilt: as of the later of ``on``
    and the position's date, or, when the pay-out settled everything, of the loan's last
    due date, so credit held for later installments is applied and nothing is left for
    the daily steps to move. Call inside the caller's transaction.
    """
    with transaction.atomic():
        locked = Loan.objects.select_for_update().get(pk=loan.pk)
        owed = _check_payout(locked, amount, on)
        payment, _created = payment_post(
            loan=locked,
            payment_id=payment_id,
            amount=amount,
            paid_on=on,
            channel=PAYOUT_CHANNEL,
            source="guarantee",
            by=by,
        )
        Loan.objects.filter(pk=locked.pk).update(
            status=LoanStatus.COMPENSATED, updated_at=timezone.now()
        )
        loan.status = LoanStatus.COMPENSATED
        position_on = LoanPosition.objects.filter(loan_id=locked.pk).values_list("as_of", flat=True)
        if position_on:
            settle_on = max(position_on[0], on)
            if amount == owed:
                last_due = Installment.objects.filter(loan_id=locked.pk).order_by("-due_on")
                settle_on = max(settle_on, last_due.values_list("due_on", flat=True)[0])
            refresh([locked.pk], settle_on)
    return Compensation(payment=payment, owed=owed)


def guarantee_company_get_or_create(*, name: str) -> Creditor:
    """The creditor called ``name`` that holds recourse claims, created on first use like
    ``ingest --creditor``; a new one is a local financial organisation (地方金融组织: the
    guarantee company's claims are capped in court as such, ``LenderType``)."""
    clean = name.strip()
    if not clean:
        raise InvalidInput(_("the guarantee company's name is empty"), field="by")
    creditor, _created = Creditor.objects.get_or_create(
        name=clean, defaults={"lender_type": LenderType.LOCAL_FINANCIAL}
    )
    return creditor


def _claim_loan_id(creditor: Creditor, loan_id: str) -> str:
    # Two lenders may use one contract number: a second claim of the same number gets -2, -3.
    base = f"{loan_id}{CLAIM_SUFFIX}"
    taken = set(
        Loan.objects.filter(creditor=creditor, loan_id__startswith=base).values_list(
            "loan_id", flat=True
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def recourse_product(creditor: Creditor) -> Product:
    """The guarantee company's ``recourse`` product, created on first use: its claims'
    playbook segment (``products: [recourse]``) and, when its ``default_annual_rate`` is
    set, the agreed recourse rate (see ``claim_penalty_rate``)."""
    product, _created = Product.objects.get_or_create(
        creditor=creditor, code=RECOURSE_PRODUCT, defaults={"name": "追偿"}
    )
    return product


def claim_penalty_rate(*, original: Loan, product: Product, agreed: Decimal | None) -> Decimal:
    """The claim's penalty rate: ``agreed`` (the guarantee contract's recourse rate) when
    given; else the recourse product's ``default_annual_rate`` when set; else the original
    loan's penalty rate."""
    if agreed is not None:
        rate = agreed
    elif product.default_annual_rate is not None:
        rate = Decimal(product.default_annual_rate)
    else:
        rate = Decimal(original.penalty_rate)
    if rate < 0 or rate > 1:
        raise InvalidInput(
            _("the recourse penalty rate must be between 0 and 100%"), field="penalty_rate"
        )
    return rate.quantize(RATE_QUANTUM, ROUND_HALF_UP)


def claim_loan_create(
    *,
    original: Loan,
    creditor: Creditor,
    amount: int,
    on: date,
    penalty_rate: Decimal | None = None,
) -> Loan:
    """The guarantor's recourse claim for ``amount`` fen paid out on ``on``: a new loan of
    ``creditor`` (loan id ``<original>-DC``), disbursed and due in one installment on ``on``,
    no interest, the penalty rate of ``claim_penalty_rate``, and the original's borrower,
    co-borrowers and counter-guarantors linked in their roles."""
    product = recourse_product(creditor)
    with transaction.atomic():
        claim = Loan.objects.create(
            creditor=creditor,
            product=product,
            loan_id=_claim_loan_id(creditor, original.loan_id),
            principal=amount,
            annual_rate=Decimal(0),
            term_months=1,
            repayment_method=RepaymentMethod.BULLET,
            disbursed_on=on,
            first_due_on=on,
            penalty_rate=claim_penalty_rate(
                original=original, product=product, agreed=penalty_rate
            ),
            grace_days=0,
            day_count=original.day_count,
            currency=original.currency,
            branch=original.branch,
            guarantee_type=original.guarantee_type,
        )
        Installment.objects.create(
            loan=claim, seq=1, due_on=on, principal=amount, interest=0, fees=0
        )
        LoanParty.objects.bulk_create(
            LoanParty(loan=claim, party_id=party_id, role=role)
            for party_id, role in LoanParty.objects.filter(
                loan=original, role__in=CLAIM_ROLES
            ).values_list("party_id", "role")
        )
    return claim
