"""Ingest of loan tapes: loans, their schedules, borrowers and guarantors, chunk by chunk.

A chunk costs a fixed number of queries whatever its size: existing loans, payments and
parties are read with ``IN`` lists, new rows are written in bulk (COPY on PostgreSQL), and
schedules come from the pure ``build_schedule``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from arrears.core.bulk import bulk_insert, chunked
from arrears.core.money import format_yuan
from arrears.portfolio.calculations.schedule import build_schedule
from arrears.portfolio.choices import PartyRole
from arrears.portfolio.models import (
    DEFAULT_ALLOCATION_ORDER,
    DEFAULT_PENALTY_MULTIPLIER,
    Creditor,
    Installment,
    Loan,
    LoanParty,
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
from arrears.portfolio.services.party_upsert import PartyUpsert
from arrears.portfolio.tape.validation import LoanRecord, RowResult

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


def _describe(term: str, value: object) -> str:
    if value is None:
        return "none"
    if term == "principal" and isinstance(value, int):
        return format_yuan(value)
    if isinstance(value, Decimal):
        return f"{(value * 100).normalize():f}%"
    return str(value)


def _difference(term: str, before: object, after: object) -> str:
    return f"{term} {_describe(term, before)} → {_describe(term, after)}"


@dataclass
class LoanIngestor:
    """Writes loan rows of one creditor; see ``tape_ingest`` for the row outcomes."""

    creditor: Creditor

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
            self._products[code], _ = Product.objects.get_or_create(
                creditor=self.creditor, code=code, defaults={"name": code}
            )
        return self._products[code]

    def _terms(self, record: LoanRecord, existing: Loan | None) -> dict[str, object]:
        """The loan's terms: the tape's values, then the loan's own, then product defaults."""
        product = self._product(record.product)
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
            "annual_rate": record.annual_rate.quantize(RATE_QUANTUM, ROUND_HALF_UP),
            "term_months": record.term_months,
            "repayment_method": record.repayment_method,
            "disbursed_on": record.disbursed_on,
            "first_due_on": record.first_due_on,
            "penalty_rate": Decimal(penalty_rate).quantize(RATE_QUANTUM, ROUND_HALF_UP),
            "grace_days": grace_days,
            "currency": record.currency,
            "product_id": product.pk if product else None,
            "branch": record.branch or "",
            "guarantee_type": record.guarantee_type or "",
        }

    def ingest_chunk(self, rows: list[RowResult]) -> list[Outcome]:
        records: list[LoanRecord] = [row.record for row in rows]
        existing: dict[str, Loan] = {}
        for batch in chunked([record.loan_id for record in records], 900):
            existing.update(
                (found.loan_id, found)
                for found in Loan.objects.filter(creditor=self.creditor, loan_id__in=batch)
            )
        repaying = set(
            Payment.objects.filter(loan_id__in=[found.pk for found in existing.values()])
            .values_list("loan_id", flat=True)
            .distinct()
        )
        parties = PartyUpsert(self.creditor, source="tape")
        outcomes: list[Outcome] = []
        new_loans: list[tuple[int, Loan]] = []  # (row index, loan)
        changed_loans: list[Loan] = []
        reschedule: list[Loan] = []
        party_slots: list[tuple[int, int, str]] = []  # (row index, upsert handle, role)
        now = timezone.now()
        for index, record in enumerate(records):
            loan: Loan | None = existing.get(record.loan_id)
            terms = self._terms(record, loan)
            if loan is None:
                loan = Loan(
                    creditor=self.creditor,
                    loan_id=record.loan_id,
                    day_count=self._day_count(terms),
                    allocation_order=self._allocation_order(terms),
                    **terms,
                )
                new_loans.append((index, loan))
                outcomes.append(CREATED)
            else:
                differences = [
                    _difference(term, getattr(loan, term), terms[term])
                    for term in FINANCIAL_TERMS
                    if getattr(loan, term) != terms[term]
                ]
                if differences and loan.pk in repaying:
                    outcomes.append(
                        ["terms changed after repayment began: " + ", ".join(differences)]
                    )
                    continue
                descriptive = any(getattr(loan, t) != terms[t] for t in DESCRIPTIVE_TERMS)
                if differences or descriptive:
                    for term, value in terms.items():
                        setattr(loan, term, value)
                    loan.updated_at = now
                    changed_loans.append(loan)
                    if differences:
                        reschedule.append(loan)
                outcomes.append(UPDATED if differences or descriptive else UNCHANGED)
            party_slots.append((index, parties.add(record.borrower), PartyRole.BORROWER))
            if record.guarantor is not None:
                party_slots.append((index, parties.add(record.guarantor), PartyRole.GUARANTOR))

        if new_loans:
            self._insert_loans([loan for _, loan in new_loans], now)
        if changed_loans:
            Loan.objects.bulk_update(
                changed_loans, [*FINANCIAL_TERMS, *DESCRIPTIVE_TERMS, "updated_at"], batch_size=500
            )
        if reschedule:
            Installment.objects.filter(loan__in=[loan.pk for loan in reschedule]).delete()
        self._write_schedules([loan for _, loan in new_loans] + reschedule)

        party_ids, party_changed = parties.flush()
        loan_by_row = {index: existing.get(record.loan_id) for index, record in enumerate(records)}
        for index, loan in new_loans:
            loan_by_row[index] = loan
        self._link_parties(loan_by_row, party_slots, party_ids, party_changed, outcomes, now)
        return outcomes

    def _insert_loans(self, loans: list[Loan], now: object) -> None:
        """Insert in bulk, then read the new ids back (one query, not one per batch)."""
        columns = [
            "creditor_id",
            "loan_id",
            "day_count",
            "allocation_order",
            "status",
            *FINANCIAL_TERMS,
            *DESCRIPTIVE_TERMS,
        ]
        bulk_insert(
            Loan._meta.db_table,
            [*columns, "created_at", "updated_at"],
            ([*(getattr(loan, c) for c in columns), now, now] for loan in loans),
        )
        ids = dict(
            Loan.objects.filter(
                creditor=self.creditor, loan_id__in=[loan.loan_id for loan in loans]
            ).values_list("loan_id", "pk")
        )
        for loan in loans:
            loan.pk = ids[loan.loan_id]
            loan._state.adding = False

    def _day_count(self, terms: dict[str, object]) -> int:
        product = self._product_by_id(terms["product_id"])
        return product.day_count if product else 360

    def _allocation_order(self, terms: dict[str, object]) -> str:
        product = self._product_by_id(terms["product_id"])
        return product.allocation_order if product else DEFAULT_ALLOCATION_ORDER

    def _product_by_id(self, product_id: object) -> Product | None:
        if product_id is None:
            return None
        return next(p for p in self._products.values() if p.pk == product_id)

    def _write_schedules(self, loans: list[Loan]) -> None:
        def rows() -> Iterable[tuple[object, ...]]:
            for loan in loans:
                for item in build_schedule(
                    principal=loan.principal,
                    annual_rate=Decimal(loan.annual_rate),
                    term_months=loan.term_months,
                    method=loan.repayment_method,
                    disbursed_on=loan.disbursed_on,
                    first_due_on=loan.first_due_on,
                ):
                    yield (loan.pk, item.seq, item.due_on, item.principal, item.interest, item.fees)

        bulk_insert(
            Installment._meta.db_table,
            ["loan_id", "seq", "due_on", "principal", "interest", "fees"],
            rows(),
        )

    def _link_parties(
        self,
        loan_by_row: dict[int, Loan | None],
        party_slots: list[tuple[int, int, str]],
        party_ids: list[int],
        party_changed: list[bool],
        outcomes: list[Outcome],
        now: object,
    ) -> None:
        """Add missing loan–party links; a row whose party changed counts as updated."""
        loan_pks = [loan.pk for loan in loan_by_row.values() if loan is not None]
        linked = set(
            LoanParty.objects.filter(loan_id__in=loan_pks).values_list(
                "loan_id", "party_id", "role"
            )
        )
        new_links: list[tuple[object, ...]] = []
        for index, handle, role in party_slots:
            loan = loan_by_row[index]
            assert loan is not None
            link = (loan.pk, party_ids[handle], role)
            touched = party_changed[handle]
            if link not in linked:
                linked.add(link)
                new_links.append((*link, now, now))
                touched = True
            if touched and outcomes[index] == UNCHANGED:
                outcomes[index] = UPDATED
        if new_links:
            bulk_insert(
                LoanParty._meta.db_table,
                ["loan_id", "party_id", "role", "created_at", "updated_at"],
                new_links,
            )


def loans_ingest_rows(*, creditor: Creditor, rows: Iterable[RowResult]) -> IngestResult:
    """Ingest already-validated loan rows (the demo builder uses this without a file)."""
    return run_ingestor(LoanIngestor(creditor), rows)
