"""A small portfolio with hand-written month ends, for the month tables' tests.

Six loans of one creditor, four stored month ends (2026-01-31 … 2026-04-30), written as the
cycle's history step would have stored them (one row per loan with a position), and the
cases, assignments, payments, promises, contacts and a legal matter the KPIs and recovery
curves read. Amounts in yuan below, stored in fen. Each test file computes its expected
figures by hand from the table in ``HISTORY``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from arrears.accounts.models import Team, User
from arrears.cases.models import (
    Activity,
    CaseAssignment,
    CaseBucketSpell,
    CollectionCase,
    Promise,
)
from arrears.legal.models import Matter, MatterLoan
from arrears.portfolio.models import Creditor, Loan, LoanHistory, Payment

SHANGHAI = ZoneInfo("Asia/Shanghai")
JAN, FEB, MAR, APR = date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)

# loan → (disbursed on, principal) ; month end → (dpd, bucket, principal outstanding, overdue)
LOANS = {
    "L1": (date(2025, 12, 15), 1000),
    "L2": (date(2026, 1, 10), 2000),
    "L3": (date(2026, 1, 20), 3000),
    "L4": (date(2026, 2, 5), 4000),
    "L5": (date(2026, 2, 10), 5000),
    "L6": (date(2026, 2, 25), 6000),
}
HISTORY = {
    "L1": {JAN: (32, "M2", 1000, 100), FEB: (60, "M2", 1000, 200),
           MAR: (91, "M4", 1000, 300), APR: (121, "M5", 1000, 400)},
    "L2": {JAN: (0, "M0", 2000, 0), FEB: (3, "M1", 2000, 180),
           MAR: (31, "M2", 2000, 360), APR: (0, "M0", 1700, 0)},
    "L3": {JAN: (0, "M0", 3000, 0), FEB: (0, "M0", 0, 0),
           MAR: (0, "M0", 0, 0), APR: (0, "M0", 0, 0)},
    "L4": {FEB: (0, "M0", 4000, 0), MAR: (5, "M1", 4000, 400), APR: (0, "M0", 3600, 0)},
    "L5": {FEB: (0, "M0", 5000, 0), MAR: (0, "M0", 4600, 0), APR: (15, "M1", 4600, 450)},
    "L6": {FEB: (0, "M0", 6000, 0), MAR: (0, "M0", 5600, 0), APR: (0, "M0", 0, 0)},
}  # fmt: skip


def fen(yuan: float) -> int:
    return round(yuan * 100)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant on ``day`` in Shanghai, the business time zone."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class Portfolio:
    creditor: Creditor
    loans: dict[str, Loan]
    teams: dict[str, Team] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    cases: dict[str, CollectionCase] = field(default_factory=dict)


def loan_add(creditor: Creditor, name: str, disbursed_on: date, principal: int) -> Loan:
    return Loan.objects.create(
        creditor=creditor,
        loan_id=name,
        principal=fen(principal),
        annual_rate="0.12",
        term_months=12,
        repayment_method="annuity",
        disbursed_on=disbursed_on,
        penalty_rate="0.18",
    )


def history_add(loan: Loan, day: date, dpd: int, bucket: str, principal: int, overdue: int) -> None:
    LoanHistory.objects.create(
        loan=loan,
        business_date=day,
        dpd=dpd,
        bucket=bucket,
        classification="normal",
        overdue_total=fen(overdue),
        principal_outstanding=fen(principal),
        penalty_accrued=0,
    )


def small_portfolio() -> Portfolio:
    """The portfolio of this module's tables, with its cases and their money."""
    creditor = Creditor.objects.create(name="月末小贷")
    loans = {name: loan_add(creditor, name, *terms) for name, terms in LOANS.items()}
    for name, rows in HISTORY.items():
        for day, row in rows.items():
            history_add(loans[name], day, *row)
    # A day's row of an overdue loan between month ends (L2 paid its oldest installment
    # before February ended): the month tables read month ends only.
    history_add(loans["L2"], date(2026, 2, 20), 45, "M2", 2000, 400)
    world = Portfolio(creditor=creditor, loans=loans)
    _people(world)
    _cases(world)
    _money(world)
    _promises_and_contacts(world)
    return world


def _people(world: Portfolio) -> None:
    for name in ("A", "B"):
        world.teams[name] = Team.objects.create(
            name=f"team {name}", creditor=world.creditor, buckets="M1,M2,M3,M4,M5"
        )
    for username, team in (("alice", "A"), ("bob", "A"), ("carol", "B")):
        world.users[username] = User.objects.create(username=username, team=world.teams[team])


def _case(world: Portfolio, loan: str, opened_on: date, closed_on: date | None) -> CollectionCase:
    case = CollectionCase.objects.create(
        loan=world.loans[loan],
        creditor=world.creditor,
        status="closed" if closed_on else "open",
        opened_on=opened_on,
        closed_on=closed_on,
        entry_dpd=1,
        entry_amount=100,
        current_dpd=1,
        bucket="M1",
        worst_dpd=1,
        updated_on=opened_on,
    )
    world.cases[loan] = case
    return case


def _assign(world: Portfolio, case: CollectionCase, team: str, user: str, on: date) -> None:
    CaseAssignment.objects.create(
        case=case,
        team=world.teams[team],
        assignee=world.users[user],
        rule="round_robin",
        on=on,
        at=at(on, 12),
    )


def _cases(world: Portfolio) -> None:
    l1 = _case(world, "L1", date(2025, 12, 31), None)
    _assign(world, l1, "A", "alice", date(2026, 1, 2))
    _assign(world, l1, "A", "bob", date(2026, 4, 22))
    l2 = _case(world, "L2", date(2026, 2, 28), date(2026, 4, 12))
    _assign(world, l2, "B", "carol", date(2026, 3, 1))
    l4 = _case(world, "L4", date(2026, 3, 27), date(2026, 4, 20))  # never assigned
    _case(world, "L5", date(2026, 4, 18), None)
    for case, bucket, entered_on in (
        (l1, "M4", MAR),
        (l2, "M1", FEB),
        (l2, "M2", MAR),
        (l4, "M1", date(2026, 3, 27)),  # no history row that day: the Feb 28 row counts
    ):
        CaseBucketSpell.objects.create(case=case, bucket=bucket, entered_on=entered_on)
    matter = Matter.objects.create(
        creditor=world.creditor, loan=world.loans["L1"], kind="lawsuit", opened_on=date(2026, 4, 1)
    )
    MatterLoan.objects.create(matter=matter, loan=world.loans["L1"])


def _money(world: Portfolio) -> None:
    for number, (loan, paid_on, amount) in enumerate(
        [
            ("L1", date(2026, 3, 20), 50),  # March: alice's, not April's
            ("L2", date(2026, 4, 12), 360),  # the day the case closed: carol's
            ("L4", date(2026, 4, 20), 400),  # a case nobody held
            ("L1", date(2026, 4, 25), 53),  # after the reassignment: bob's
            ("L5", date(2026, 4, 3), 100),  # before its case opened
            ("L6", date(2026, 4, 28), 5600),  # paid off, never overdue
            ("L1", date(2026, 5, 2), 10),  # after the last month end
        ]
    ):
        Payment.objects.create(
            creditor=world.creditor,
            loan=world.loans[loan],
            payment_id=f"P{number}",
            paid_on=paid_on,
            amount=fen(amount),
        )


def _promises_and_contacts(world: Portfolio) -> None:
    l1, l2 = world.cases["L1"], world.cases["L2"]
    for case, by, made_on, due_on, status in (
        (l1, "alice", date(2026, 4, 1), date(2026, 4, 10), "broken"),
        (l2, "carol", date(2026, 4, 5), date(2026, 4, 12), "kept"),
        (l1, "bob", date(2026, 4, 23), date(2026, 4, 25), "kept"),
        (l1, "bob", date(2026, 4, 28), date(2026, 5, 3), "open"),  # due in May
        (l2, "carol", date(2026, 4, 6), date(2026, 4, 9), "cancelled"),
    ):
        Promise.objects.create(
            case=case,
            loan_id=case.loan_id,
            party_id=1,
            amount=fen(100),
            made_on=made_on,
            due_on=due_on,
            status=status,
            by=world.users[by],
        )
    for case, by, when, reached in (
        (l1, "alice", at(date(2026, 3, 15), 10), "borrower"),  # March
        (l1, "alice", at(date(2026, 4, 1), 10), "borrower"),
        (l1, "alice", at(date(2026, 4, 10), 10), "nobody"),
        (l1, "bob", at(date(2026, 4, 23), 10), "borrower"),
        (l1, "bob", at(date(2026, 4, 30), 23, 30), "nobody"),  # April in Shanghai
        (l1, "bob", at(date(2026, 5, 1), 0, 10), "borrower"),  # May in Shanghai
        (l2, "carol", at(date(2026, 4, 5), 10), "third_party"),
        (l2, "carol", at(date(2026, 4, 12), 10), "co_party"),
    ):
        Activity.objects.create(
            case=case,
            party_id=1,
            channel="call",
            party_reached=reached,
            outcome="no_answer" if reached == "nobody" else "right_party",
            by=world.users[by],
            at=when,
            sha256="0" * 64,
        )
