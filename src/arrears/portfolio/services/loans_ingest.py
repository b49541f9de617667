"""Ingest of loan tapes: loans, their schedules, borrowers and guarantors, chunk by chunk.

A chunk costs a fixed number of queries whatever its size: existing loans, payments and
parties are read with ``IN`` lists, new rows are written in bulk (COPY on PostgreSQL), and
schedules come from the pure ``schedule_parts`` (``build_schedule``'s values).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from itertools import repeat
from typing import cast

from django.db import connection
from django.utils import timezone

from arrears.core.bulk import chunked, reserve_ids
from arrears.core.bulk_load import DateText, bulk_load, db_stamp
from arrears.core.money import format_yuan
from arrears.portfolio.calculations.schedule import schedule_parts
from arrears.portfolio.choices import LoanStatus, PartyRole
from arrears.portfolio.models import (
    DEFAULT_ALLOCATION_ORDER,
    DEFAULT_PENALTY_MULTIPLIER,
    ContactPoint,
    Creditor,
    Installment,
    Loan,
    LoanParty,
    Party,
    Payment,
    Product,
)
from arrears.portfolio.services.ingest import (
    CREATED,
    UNCHANGED,
    UPDATED,
    IngestResult,
    Outcome,
    run_ingestor,
)
from arrears.portfolio.services.ingest_lookup import rows_with_keys
from arrears.portfolio.services.party_seals import seal_parties
from arrears.portfolio.services.party_upsert import PartyUpsert
from arrears.portfolio.services.schedule_rows import (
    Prepared,
    Schedule,
    copy_blocks,
    write_schedules,
)
from arrears.portfolio.tape.errors import Reason
from arrears.portfolio.tape.errors import gettext_noop as _
from arrears.portfolio.tape.records import LoanRecord, RowResult

RATE_QUANTUM = Decimal("0.00000001")  # the 8 decimal places the rate columns hold
# Terms that decide the schedule and the money; once repayment began they are frozen.
FINANCIAL_TERMS = (
    "principal",
    "annual_rate",
    "term_months",
    "repayment_method",
    "disbursed_on",
    "first_due_on",
    "penalty_rate",
    "grace_days",
    "currency",
)
DESCRIPTIVE_TERMS = ("product_id", "branch", "guarantee_type")
# The roles as plain text: an enum member's attribute lookup costs more than the rest of a
# row's bookkeeping, twice per row.
BORROWER, GUARANTOR = PartyRole.BORROWER.value, PartyRole.GUARANTOR.value


@lru_cache(maxsize=1024)
def stored_rate(rate: Decimal) -> Decimal:
    """``rate`` to the 8 places the rate columns hold, half up (a tape repeats few rates)."""
    return rate.quantize(RATE_QUANTUM, ROUND_HALF_UP)


def _describe(term: str, value: object) -> str:
    if value is None:
        return Reason(_("none"))
    if term == "principal" and isinstance(value, int):
        return format_yuan(value)
    if isinstance(value, Decimal):
        return f"{(value * 100).normalize():f}%"
    return str(value)


def _joined(reasons: list[Reason]) -> Reason:
    """Reasons joined by commas, each translated with the whole."""
    names = {f"r{i}": reason for i, reason in enumerate(reasons)}
    return Reason(", ".join(f"%({name})s" for name in names), **names)


def _difference(term: str, before: object, after: object) -> Reason:
    return Reason(
        _("%(term)s %(before)s → %(after)s"),
        term=term,
        before=_describe(term, before),
        after=_describe(term, after),
    )


@dataclass
class LoanIngestor:
    """Writes loan rows of one creditor; see ``tape_ingest`` for the row outcomes."""

    creditor: Creditor
    tables = tuple(
        model._meta.db_table for model in (Loan, Installment, Party, ContactPoint, LoanParty)
    )

    def __post_init__(self) -> None:
        self._products: dict[str, Product] = {
            product.code: product for product in Product.objects.filter(creditor=self.creditor)
        }

    def finish(self) -> None:
        """Nothing is deferred past the last chunk for loans."""

    def _product(self, code: str | None) -> Product | None:
        if not code:
            return None
        if code not in self._products:
            product, _ = Product.objects.get_or_create(
                creditor=self.creditor, code=code, defaults={"name": code}
            )
            self._products[code] = product
        return self._products[code]

    def _terms(
        self, record: LoanRecord, existing: Loan | None, product: Product | None
    ) -> dict[str, object]:
        """The loan's terms: the tape's values, then the loan's own, then product defaults."""
        penalty_rate = record.penalty_rate
        if penalty_rate is None:
            if existing is not None:
                penalty_rate = existing.penalty_rate
            else:
                multiplier = product.penalty_rate_multiplier if product else None
                penalty_rate = record.annual_rate * (multiplier or DEFAULT_PENALTY_MULTIPLIER)
        grace_days = record.grace_days
        if grace_days is None:
            grace_days = existing.grace_days if existing else (product.grace_days if product else 0)
        return {
            "principal": record.principal,
            "annual_rate": stored_rate(record.annual_rate),
            "term_months": record.term_months,
            "repayment_method": record.repayment_method,
            "disbursed_on": record.disbursed_on,
            "first_due_on": record.first_due_on,
            "penalty_rate": stored_rate(Decimal(penalty_rate)),
            "grace_days": grace_days,
            "currency": record.currency,
            "product_id": product.pk if product else None,
            "branch": record.branch or "",
            "guarantee_type": record.guarantee_type or "",
        }

    def prepare(self, rows: list[RowResult]) -> Prepared:
        """What a chunk's rows need that the tape alone decides (no database: the driver
        runs this in its reading process, on a core of its own): each row's schedule, on
        PostgreSQL as its installments' COPY text with ``LOAN_MARK`` for the loan's id
        (which only the writing side knows), and there its parties sealed too
        (``party_seals``).
        Only new loans and loans whose financial terms changed use their schedules; on a
        re-import of unchanged loans the work is spent on the reading side, which is
        otherwise waiting. On PostgreSQL, formatting 1.2 million installment rows and
        sealing 240,000 values there saves the writing side a third of its own work. On
        SQLite the writing side is the database too, and the reading side, which parses
        and validates, is already the longer one: sealing stays with the writer."""
        schedules: list[Schedule] = []
        # Loans disbursed on one day for one term share their due dates: one tuple for
        # all of them, so a chunk sent from a reading process carries each tuple once.
        shared: dict[tuple[date, ...], tuple[date, ...]] = {}
        for row in rows:
            record = row.record
            dates, parts = schedule_parts(
                principal=record.principal,
                annual_rate=stored_rate(record.annual_rate),
                term_months=record.term_months,
                method=record.repayment_method,
                disbursed_on=record.disbursed_on,
                first_due_on=record.first_due_on,
            )
            schedules.append((shared.setdefault(dates, dates), parts))
        if connection.vendor != "postgresql":
            return Prepared(schedules, None, None)
        parties = [row.record.borrower for row in rows]
        parties.extend(row.record.guarantor for row in rows if row.record.guarantor is not None)
        # The COPY text holds all the writer needs of the schedules: they are not sent.
        return Prepared([], copy_blocks(schedules), seal_parties(parties))

    def ingest_chunk(self, rows: list[RowResult], prepared: object = None) -> list[Outcome]:
        records: list[LoanRecord] = [row.record for row in rows]
        ready = cast(Prepared, prepared) if prepared is not None else self.prepare(rows)
        schedules, blocks = ready.schedules, ready.blocks
        # The seals are in prepare's order: every borrower, then the guarantors.
        seals = ready.seals
        borrower_seals = iter(seals if seals is not None else repeat(None, len(rows)))
        guarantor_seals = iter(seals[len(rows) :] if seals is not None else repeat(None))
        # The loans already on file are found by key in plain SQL, then read whole by
        # primary key: a new portfolio's tape has none, and the ORM then prepares no key.
        known = [
            pk
            for (pk,) in rows_with_keys(
                Loan,
                ["id"],
                key="loan_id",
                keys=[record.loan_id for record in records],
                equal=[("creditor_id", self.creditor.pk)],
            )
        ]
        existing: dict[str, Loan] = {}
        for batch in chunked(known, 900):
            existing.update(
                (found.loan_id, found) for found in Loan.objects.filter(pk__in=batch).order_by()
            )
        repaying: set[int] = set()
        for pks in chunked([found.pk for found in existing.values()], 900):
            repaying.update(
                Payment.objects.filter(loan_id__in=pks)
                .order_by()
                .values_list("loan_id", flat=True)
                .distinct()
            )
        parties = PartyUpsert(self.creditor, source="tape")
        outcomes: list[Outcome] = []
        # New loans stay plain dicts of column values: building 100,000 model instances
        # would cost more than inserting them.
        new_loans: dict[int, dict[str, object]] = {}  # row index → columns
        changed_loans: list[Loan] = []
        reschedule: list[tuple[int, Loan]] = []  # (row index, loan)
        party_slots: list[tuple[int, int, str]] = []  # (row index, upsert handle, role)
        now = timezone.now()
        for index, record in enumerate(records):
            borrower_seal = next(borrower_seals)
            guarantor_seal = next(guarantor_seals) if record.guarantor is not None else None
            loan: Loan | None = existing.get(record.loan_id)
            product = self._product(record.product)
            terms = self._terms(record, loan, product)
            if loan is None:
                new_loans[index] = {
                    "loan_id": record.loan_id,
                    "day_count": product.day_count if product else 360,
                    "allocation_order": (
                        product.allocation_order if product else DEFAULT_ALLOCATION_ORDER
                    ),
                    **terms,
                }
                outcomes.append(CREATED)
            else:
                differences = [
                    _difference(term, getattr(loan, term), terms[term])
                    for term in FINANCIAL_TERMS
                    if getattr(loan, term) != terms[term]
                ]
                if differences and loan.pk in repaying:
                    outcomes.append(
                        [
                            Reason(
                                _("terms changed after repayment began: %(changes)s"),
                                changes=_joined(differences),
                            )
                        ]
                    )
                    continue
                descriptive = any(getattr(loan, t) != terms[t] for t in DESCRIPTIVE_TERMS)
                if differences or descriptive:
                    for term, value in terms.items():
                        setattr(loan, term, value)
                    loan.updated_at = now
                    changed_loans.append(loan)
                    if differences:
                        reschedule.append((index, loan))
                outcomes.append(UPDATED if differences or descriptive else UNCHANGED)
            party_slots.append((index, parties.add(record.borrower, seal=borrower_seal), BORROWER))
            if record.guarantor is not None:
                party_slots.append(
                    (index, parties.add(record.guarantor, seal=guarantor_seal), GUARANTOR)
                )

        loan_pk_by_row = {
            index: loan.pk
            for index, record in enumerate(records)
            if (loan := existing.get(record.loan_id)) is not None
        }
        if new_loans:
            loan_pk_by_row.update(self._insert_loans(new_loans, now))
        if changed_loans:
            Loan.objects.bulk_update(
                changed_loans, [*FINANCIAL_TERMS, *DESCRIPTIVE_TERMS, "updated_at"], batch_size=500
            )
        if reschedule:
            Installment.objects.filter(loan__in=[loan.pk for _, loan in reschedule]).delete()
        write_schedules(
            [(loan_pk_by_row[index], index) for index in new_loans]
            + [(loan.pk, index) for index, loan in reschedule],
            schedules,
            blocks,
        )

        party_ids, party_changed = parties.flush()
        self._link_parties(
            loan_pk_by_row,
            {loan.pk for loan in existing.values()},
            party_slots,
            party_ids,
            party_changed,
            outcomes,
            now,
        )
        return outcomes

    def _insert_loans(
        self, new_loans: dict[int, dict[str, object]], now: datetime
    ) -> dict[int, int]:
        """Insert in bulk under reserved ids; return row index → loan id."""
        columns = [
            "loan_id",
            "day_count",
            "allocation_order",
            *FINANCIAL_TERMS,
            *DESCRIPTIVE_TERMS,
        ]
        creditor_id = self.creditor.pk
        ids = dict(zip(new_loans, reserve_ids(Loan._meta.db_table, len(new_loans)), strict=True))
        stamp = db_stamp(now)
        day = DateText()
        dates = {"disbursed_on", "first_due_on"}
        active = LoanStatus.ACTIVE.value  # an enum member's lookup, once rather than per row
        bulk_load(
            Loan._meta.db_table,
            ["id", "creditor_id", *columns, "status", "created_at", "updated_at"],
            (
                [
                    ids[index],
                    creditor_id,
                    *[day(loan[c]) if c in dates else loan[c] for c in columns],  # type: ignore[arg-type]
                    active,
                    stamp,
                    stamp,
                ]
                for index, loan in new_loans.items()
            ),
        )
        return ids

    def _link_parties(
        self,
        loan_pk_by_row: dict[int, int],
        preexisting: set[int],
        party_slots: list[tuple[int, int, str]],
        party_ids: list[int],
        party_changed: list[bool],
        outcomes: list[Outcome],
        now: datetime,
    ) -> None:
        """Add missing loan–party links; a row whose party changed counts as updated."""
        # Loans created in this chunk have no links yet: only older ones are looked up.
        linked: set[tuple[int, int, str]] = set()
        for batch in chunked(sorted(preexisting), 900):
            linked.update(
                LoanParty.objects.filter(loan_id__in=batch)
                .order_by()
                .values_list("loan_id", "party_id", "role")
            )
        new_links: list[tuple[object, ...]] = []
        stamp = db_stamp(now)
        for index, handle, role in party_slots:
            link = (loan_pk_by_row[index], party_ids[handle], role)
            touched = party_changed[handle]
            if link not in linked:
                linked.add(link)
                new_links.append((*link, stamp, stamp))
                touched = True
            if touched and outcomes[index] == UNCHANGED:
                outcomes[index] = UPDATED
        if new_links:
            bulk_load(
                LoanParty._meta.db_table,
                ["loan_id", "party_id", "role", "created_at", "updated_at"],
                new_links,
            )


def loans_ingest_rows(*, creditor: Creditor, rows: Iterable[RowResult]) -> IngestResult:
    """Ingest already-validated loan rows (the demo builder uses this without a file)."""
    return run_ingestor(LoanIngestor(creditor), rows)
