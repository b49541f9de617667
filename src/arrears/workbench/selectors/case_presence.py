"""Which of a case's optional parts have any rows at all, in one statement.

Most cases a collector opens have no legal matter, no visit, no write-off, no plan, no
settlement, no hold; a fresh one has no contact, promise or message either. The case page
asked each part for its rows all the same: about a dozen queries that found nothing, each
costing the ORM about a millisecond to build, compile and run (issue 21: the page under
15 ms of server time). Here one statement of ``EXISTS`` tests, written once per process
from the models' own table and column names, says which parts have rows; the page reads
only those.

A part counts as present when *any* of its rows belongs to the case (or to its loan, or to
one of the loan's parties), whatever the row's status or date: the test is wider than every
read it guards, so a part that has something to show is never skipped. An absent part is
read as empty — the same answer its query would give.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import Field, Model

from arrears.cases.models import (
    Activity,
    CaseAssignment,
    Promise,
    RepaymentPlan,
    Settlement,
    WorkItem,
    WriteOffProposal,
)
from arrears.compliance.models import Hold
from arrears.field.models import Visit
from arrears.legal.models import MatterLoan
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import BlacklistEntry, LoanParty, Waiver, WriteOff
from arrears.strategy.models import StrategyEvent

# The parts by name: (model, the column that ties a row to the case, "case" or "loan").
_BY_CASE: dict[str, type[Model]] = {
    "activities": Activity,
    "assignments": CaseAssignment,
    "messages": OutboxMessage,
    "plans": RepaymentPlan,
    "promises": Promise,
    "settlements": Settlement,
    "strategy_events": StrategyEvent,
    "visits": Visit,
    "work_items": WorkItem,
    "writeoff_proposals": WriteOffProposal,
}
_BY_LOAN: dict[str, type[Model]] = {
    "matters": MatterLoan,
    "waivers": Waiver,
    "write_off": WriteOff,
}
# Rows of the loan's parties (a hold may be on the loan or on a party; a blacklist entry
# is on a party).
_BY_PARTY: dict[str, type[Model]] = {
    "blacklist": BlacklistEntry,
    "holds": Hold,
}
PARTS = (*_BY_CASE, *_BY_LOAN, *_BY_PARTY)


@dataclass(frozen=True)
class Presence:
    """The parts of one case that have at least one row (``"promises" in presence``)."""

    present: frozenset[str]

    def __contains__(self, part: object) -> bool:
        return part in self.present

    @classmethod
    def everything(cls) -> Presence:
        """Every part present: a caller without a presence reads every part."""
        return cls(frozenset(PARTS))


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column, (model, name)  # a concrete column
    return connection.ops.quote_name(field.column)


@cache
def _statement(vendor: str) -> tuple[str, tuple[str, ...]]:
    """The statement and the order of its parameters ("case" or "loan"), per backend (the
    quoting is the backend's)."""
    tests: list[str] = []
    params: list[str] = []
    for model in _BY_CASE.values():
        tests.append(f"EXISTS (SELECT 1 FROM {_table(model)} WHERE {_column(model, 'case')} = %s)")
        params.append("case")
    for model in _BY_LOAN.values():
        tests.append(f"EXISTS (SELECT 1 FROM {_table(model)} WHERE {_column(model, 'loan')} = %s)")
        params.append("loan")
    parties = (
        f"SELECT {_column(LoanParty, 'party')} FROM {_table(LoanParty)}"
        f" WHERE {_column(LoanParty, 'loan')} = %s"
    )
    blacklist = BlacklistEntry
    tests.append(
        f"EXISTS (SELECT 1 FROM {_table(blacklist)}"
        f" WHERE {_column(blacklist, 'party')} IN ({parties}))"
    )
    params.append("loan")
    tests.append(
        f"(EXISTS (SELECT 1 FROM {_table(Hold)} WHERE {_column(Hold, 'loan')} = %s)"
        f" OR EXISTS (SELECT 1 FROM {_table(Hold)} WHERE {_column(Hold, 'party')} IN ({parties})))"
    )
    params.extend(("loan", "loan"))
    return "SELECT " + ", ".join(tests), tuple(params)


def presence_of(*, case_id: int, loan_id: int) -> Presence:
    """Which parts of case ``case_id`` (on loan ``loan_id``) have rows. One query; the
    caller has the case from a scoped read."""
    sql, order = _statement(connection.vendor)
    values = {"case": case_id, "loan": loan_id}
    with connection.cursor() as cursor:
        cursor.execute(sql, [values[name] for name in order])
        row = cursor.fetchone()
    return Presence(frozenset(part for part, found in zip(PARTS, row, strict=True) if found))
