"""Reads of the borrower portal: what the signed-in party may see of their loan and what
they may ask for.

Only the signed-in party's own data and the loan's money are read: never another party's
name, ID number or contacts, never a full ID number (``mask_id_number``), never a phone in
full. Amounts are integer fen, shown as yuan (``core.money``); days are business dates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from arrears.accounts.choices import Role
from arrears.cases.choices import CaseStatus, PlanStatus, PromiseStatus
from arrears.cases.models import CollectionCase, Promise, RepaymentPlan
from arrears.cases.plan_quote import QuoteError, QuoteLine, down_payment_of, plan_quote
from arrears.cases.plan_services import plan_within_authority
from arrears.cases.promise_services import MAX_PROMISE_DAYS
from arrears.compliance.choices import Channel, HoldKind
from arrears.compliance.models import Hold
from arrears.compliance.selectors import policy_for
from arrears.core.dates import add_months
from arrears.core.masking import mask_id_number
from arrears.core.money import format_yuan_grouped
from arrears.outreach.rendering import payment_instructions
from arrears.portal.models import PortalLink
from arrears.portfolio.calculations.allocation import Components
from arrears.portfolio.choices import PartyRole
from arrears.portfolio.models import Creditor, LoanParty, Party, Payment
from arrears.portfolio.selectors import loan_state

# The authority a borrower's own choice is judged by: what a collector may grant alone
# (the ``collector`` row of the authority matrix). Beyond it, a plan waits for approval.
PORTAL_ROLE = Role.COLLECTOR
# The plans offered, as (down payment %, monthly installments), over what is overdue today,
# the first installment a month from today: the practitioners' "30 % now, the rest over
# some months", from short to long.
PLAN_OFFERS: tuple[tuple[int, int], ...] = ((30, 3), (20, 6), (10, 12))
# The channels a borrower may close by themselves, per policy pack. Under ``cn`` SMS and
# email (the 回复TD退订 convention, honoured for replies too); calls stay open, since the
# law gives no right to stop them and a dispute or a hardship pause, which stop every
# channel, are there for the borrower who needs quiet. Regulation F (§1006.14(h)) lets a
# consumer refuse any medium, calls included.
OPT_OUT_CHANNELS: dict[str, tuple[str, ...]] = {
    "cn": (Channel.SMS, Channel.EMAIL),
    "us-regf": (Channel.CALL, Channel.SMS, Channel.EMAIL),
}


def mask_name(name: str) -> str:
    """A name with only its first character shown: 王小明 → 王**."""
    text = name.strip()
    return text[:1] + "*" * min(max(len(text) - 1, 1), 3) if text else ""


@dataclass(frozen=True)
class Money:
    """An amount by component, in yuan strings for the page."""

    principal: str
    interest: str
    fees: str
    penalty: str
    total: str
    total_fen: int

    @classmethod
    def of(cls, parts: Components) -> Money:
        total = parts.principal + parts.interest + parts.fees + parts.penalty
        return cls(
            format_yuan_grouped(parts.principal),
            format_yuan_grouped(parts.interest),
            format_yuan_grouped(parts.fees),
            format_yuan_grouped(parts.penalty),
            format_yuan_grouped(total),
            total,
        )


@dataclass(frozen=True)
class ScheduleRow:
    seq: int
    due_on: date
    due: str
    paid: str
    outstanding: str
    overdue: bool


@dataclass(frozen=True)
class PaymentRow:
    paid_on: date
    amount: str


@dataclass(frozen=True)
class PaymentAccount:
    """Where the creditor takes payments (settings: ``ARREARS_PAYMENT_ACCOUNT_*`` or the
    creditor's entry in ``ARREARS_PAYMENT_ACCOUNTS``)."""

    name: str
    bank: str
    number: str


@dataclass(frozen=True)
class PortalPage:
    """Everything the signed-in borrower's page shows."""

    creditor: str
    loan_number: str
    party_name: str
    party_id_masked: str
    role: str
    on: date
    dpd: int
    overdue: Money
    outstanding: Money
    schedule: list[ScheduleRow]
    payments: list[PaymentRow]
    account: PaymentAccount | None
    instructions: str
    case_open: bool
    promise_yuan: str = ""  # the open promise, if any
    promise_due_on: date | None = None
    plan_status: str = ""  # the live plan's (pending or active), if any
    requests: list[str] = field(default_factory=list)


def payment_account(creditor: Creditor) -> PaymentAccount | None:
    """The account borrowers of ``creditor`` pay into, or None when none is configured."""
    accounts = str(getattr(settings, "ARREARS_PAYMENT_ACCOUNTS", "") or "")
    if accounts:
        try:
            entry = json.loads(accounts).get(creditor.name)
        except (ValueError, AttributeError):
            entry = None
        if isinstance(entry, dict):
            found = PaymentAccount(
                str(entry.get("name", "")), str(entry.get("bank", "")), str(entry.get("number", ""))
            )
            if found.number:
                return found
    number = str(getattr(settings, "ARREARS_PAYMENT_ACCOUNT_NUMBER", "") or "")
    if not number:
        return None
    return PaymentAccount(
        str(getattr(settings, "ARREARS_PAYMENT_ACCOUNT_NAME", "") or creditor.name),
        str(getattr(settings, "ARREARS_PAYMENT_ACCOUNT_BANK", "") or ""),
        number,
    )


def role_of(link: PortalLink) -> str:
    """The signed-in party's (liable) role on the loan."""
    return (
        LoanParty.objects.filter(loan_id=link.loan_id, party_id=link.party_id)
        .order_by("pk")
        .values_list("role", flat=True)
        .first()
    ) or ""


def open_case(link: PortalLink) -> CollectionCase | None:
    """The loan's open case: what promises, plans and holds are taken on."""
    return (
        CollectionCase.objects.filter(loan_id=link.loan_id, status=CaseStatus.OPEN)
        .select_related("loan", "loan__creditor")
        .first()
    )


def _requests(link: PortalLink) -> list[str]:
    """The holds in force on this party or the loan that a borrower can ask for, by kind
    only (never another party's words)."""
    kinds = [HoldKind.DISPUTE, HoldKind.HARDSHIP, HoldKind.OPT_OUT]
    held = Hold.objects.filter(lifted_at__isnull=True).filter(
        Q(party_id=link.party_id, kind__in=kinds) | Q(loan_id=link.loan_id, kind=HoldKind.DISPUTE)
    )
    found: list[str] = []
    for kind, channel in held.order_by("created_at", "id").values_list("kind", "channel"):
        if kind == HoldKind.OPT_OUT:
            label = _("No more contact by %(channel)s") % {"channel": Channel(channel).label}
        elif kind == HoldKind.DISPUTE:
            label = _("Your dispute is under review: collection is on hold")
        else:
            label = _("Hardship pause: collection is on hold")
        if label not in found:
            found.append(label)
    return found


def portal_page(*, link: PortalLink, on: date) -> PortalPage:
    """The signed-in party's page on business date ``on``."""
    loan = link.loan
    party: Party = link.party
    state = loan_state(loan, as_of=on)
    outstanding = Components()
    for item in state.installments:
        outstanding = outstanding + item.outstanding
    schedule = [
        ScheduleRow(
            item.seq,
            item.due_on,
            format_yuan_grouped(item.due.total),
            format_yuan_grouped(item.paid.total),
            format_yuan_grouped(item.outstanding.total),
            item.is_overdue,
        )
        for item in state.installments
    ]
    payments = [
        PaymentRow(paid_on, format_yuan_grouped(amount))
        for paid_on, amount in Payment.objects.filter(loan=loan, paid_on__lte=on)
        .order_by("-paid_on", "-payment_id")
        .values_list("paid_on", "amount")
    ]
    case = open_case(link)
    promise = plan = None
    if case is not None:
        promise = Promise.objects.filter(case=case, status=PromiseStatus.OPEN).first()
        plan = RepaymentPlan.objects.filter(
            case=case, status__in=[PlanStatus.PENDING, PlanStatus.ACTIVE]
        ).first()
    role = role_of(link)
    return PortalPage(
        creditor=loan.creditor.name,
        loan_number=loan.loan_id,
        party_name=mask_name(party.name),
        party_id_masked=mask_id_number(party.id_number) if party.id_number else "",
        role=str(PartyRole(role).label) if role in PartyRole.values else "",
        on=on,
        dpd=state.dpd,
        overdue=Money.of(state.overdue),
        outstanding=Money.of(outstanding),
        schedule=schedule,
        payments=payments,
        account=payment_account(loan.creditor),
        instructions=payment_instructions(get_language() or "zh-hans"),
        case_open=case is not None,
        promise_yuan=format_yuan_grouped(promise.amount) if promise else "",
        promise_due_on=promise.due_on if promise else None,
        plan_status=plan.status if plan else "",
        requests=_requests(link),
    )


@dataclass(frozen=True)
class PromiseTerms:
    """What a promise on the portal must keep to: an amount from ``minimum`` fen, a date
    from ``first`` to ``last``."""

    minimum: int
    first: date
    last: date

    @property
    def minimum_yuan(self) -> str:
        return format_yuan_grouped(self.minimum)


def promise_terms(*, overdue_total: int, on: date) -> PromiseTerms:
    """The portal's promise policy: by ``ARREARS_PORTAL_PROMISE_DAYS`` (at most the cases
    app's horizon), at least ``ARREARS_PORTAL_PROMISE_MIN_PERCENT`` % of what is overdue
    (rounded up to the fen), never less than one fen."""
    days = int(getattr(settings, "ARREARS_PORTAL_PROMISE_DAYS", 14) or 14)
    percent = int(getattr(settings, "ARREARS_PORTAL_PROMISE_MIN_PERCENT", 100) or 0)
    days = min(max(days, 0), MAX_PROMISE_DAYS)
    percent = min(max(percent, 0), 100)
    minimum = -(-overdue_total * percent // 100)
    return PromiseTerms(max(minimum, 1), on, on + timedelta(days=days))


@dataclass(frozen=True)
class PlanOption:
    """One plan the portal offers: the quote calculator's schedule and whether it is
    granted at once (within ``PORTAL_ROLE``'s authority) or waits for approval."""

    key: str
    down_percent: int
    installments: int
    total: int
    down_payment: int
    start_on: date
    lines: list[QuoteLine]
    at_once: bool

    @property
    def total_yuan(self) -> str:
        return format_yuan_grouped(self.total)

    @property
    def down_yuan(self) -> str:
        return format_yuan_grouped(self.down_payment)

    @property
    def each_yuan(self) -> str:
        monthly = [line.amount for line in self.lines if line.number > 0]
        return format_yuan_grouped(monthly[0]) if monthly else ""


def plan_options(*, overdue_total: int, on: date) -> list[PlanOption]:
    """The offers of ``PLAN_OFFERS`` the quote calculator can make for ``overdue_total``
    fen on ``on`` (an offer whose installments would be under a yuan is left out)."""
    if overdue_total <= 0:
        return []
    start_on = add_months(on, 1)
    options = []
    for percent, count in PLAN_OFFERS:
        down = down_payment_of(overdue_total, percent)
        try:
            lines = plan_quote(
                total=overdue_total,
                down_payment=down,
                installments=count,
                start_on=start_on,
                today=on,
            )
        except QuoteError:
            continue
        options.append(
            PlanOption(
                key=f"{percent}-{count}",
                down_percent=percent,
                installments=count,
                total=overdue_total,
                down_payment=down,
                start_on=start_on,
                lines=lines,
                at_once=plan_within_authority(
                    role=PORTAL_ROLE, total=overdue_total, installments=count
                ),
            )
        )
    return options


def opt_out_channels(link: PortalLink) -> list[str]:
    """The channels this party may close by themselves under the creditor's pack."""
    pack, _zone = policy_for(link.loan)
    return list(OPT_OUT_CHANNELS.get(pack.code, ()))
