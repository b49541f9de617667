"""Ingest of payment files: record each payment once, then rebuild the touched loans' allocations.

A payment id is a fact: the same id with the same content is unchanged, with different
content it is rejected. Backdated payments are welcome: the rebuild replays the loan from
its first payment, so the state is as if the money had arrived on time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Q
from django.utils import timezone

from arrears.core.bulk import chunked
from arrears.core.bulk_load import bulk_load, db_stamp
from arrears.core.money import format_yuan
from arrears.portfolio.models import Allocation, Creditor, Loan, Payment
from arrears.portfolio.services.allocations import allocations_rebuild
from arrears.portfolio.services.ingest import (
    CREATED,
    UNCHANGED,
    IngestResult,
    Outcome,
    run_ingestor,
)
from arrears.portfolio.tape.errors import Reason, in_column
from arrears.portfolio.tape.errors import gettext_noop as _
from arrears.portfolio.tape.records import PaymentRecord, RowResult


def _describe_payment(loan_id: str, paid_on: object, amount: int, channel: str) -> Reason:
    return Reason(
        _("loan %(loan)s, paid on %(day)s, %(amount)s, channel '%(channel)s'"),
        loan=loan_id,
        day=paid_on,
        amount=format_yuan(amount),
        channel=channel,
    )


@dataclass
class PaymentIngestor:
    """Writes payment rows of one creditor and remembers which loans need a new replay."""

    creditor: Creditor
    tables = tuple(model._meta.db_table for model in (Payment, Allocation))
    touched: set[int] = field(default_factory=set)

    def prepare(self, rows: list[RowResult]) -> None:
        """Nothing of a payment row is worked out ahead of its chunk."""

    def ingest_chunk(self, rows: list[RowResult], prepared: object = None) -> list[Outcome]:
        records: list[PaymentRecord] = [row.record for row in rows]
        loans: dict[str, tuple[int, date]] = {}
        for batch in chunked(sorted({r.loan_id for r in records}), 900):
            # Also the loans this creditor assigned away (债权转让): until the borrower is
            # notified, a payment to the old creditor still discharges the debt (民法典
            # art. 546), so its tape must still find them; the creditor's own loan wins
            # when both carry the id (ordered last, it overwrites).
            for pk, loan_id, disbursed_on, _own in (
                Loan.objects.filter(
                    Q(creditor=self.creditor) | Q(assigned_from=self.creditor), loan_id__in=batch
                )
                .annotate(own=Q(creditor=self.creditor))
                .order_by("own", "pk")
                .values_list("pk", "loan_id", "disbursed_on", "own")
            ):
                loans[loan_id] = (pk, disbursed_on)
        loan_ids_by_pk = {pk: loan_id for loan_id, (pk, _) in loans.items()}
        stored: dict[str, tuple[int, date, int, str]] = {}
        for batch in chunked([r.payment_id for r in records], 900):
            for payment_id, loan_pk, paid_on, amount, channel in Payment.objects.filter(
                creditor=self.creditor, payment_id__in=batch
            ).values_list("payment_id", "loan_id", "paid_on", "amount", "channel"):
                stored[payment_id] = (loan_pk, paid_on, amount, channel)
        today = timezone.localdate()
        now = timezone.now()
        stamp = db_stamp(now)  # a bulk-loaded row's created_at and updated_at
        outcomes: list[Outcome] = []
        new_rows: list[tuple[object, ...]] = []
        recorded: set[int] = set()  # loans receiving a payment in this chunk
        for record in records:
            errors: list[str] = []
            loan = loans.get(record.loan_id)
            if loan is None:
                errors.append(
                    in_column(
                        "loan_id",
                        Reason(
                            _("'%(loan)s' is not in the portfolio (import the loan first)"),
                            loan=record.loan_id,
                        ),
                    )
                )
            elif record.paid_on < loan[1]:
                errors.append(
                    in_column(
                        "paid_on",
                        Reason(
                            _("%(day)s is before the loan was disbursed (%(disbursed)s)"),
                            day=record.paid_on,
                            disbursed=loan[1],
                        ),
                    )
                )
            if record.paid_on > today:
                errors.append(
                    in_column("paid_on", Reason(_("%(day)s is in the future"), day=record.paid_on))
                )
            if errors:
                outcomes.append(errors)
                continue
            assert loan is not None
            content: tuple[int, date, int, str] = (
                loan[0],
                record.paid_on,
                record.amount,
                record.channel,
            )
            if record.payment_id in stored:
                if stored[record.payment_id] == content:
                    outcomes.append(UNCHANGED)
                else:
                    known_pk, known_paid_on, known_amount, known_channel = stored[record.payment_id]
                    known = _describe_payment(
                        loan_ids_by_pk.get(known_pk) or Reason(_("another loan")),
                        known_paid_on,
                        known_amount,
                        known_channel,
                    )
                    outcomes.append(
                        [
                            in_column(
                                "payment_id",
                                Reason(
                                    _(
                                        "'%(payment)s' is already recorded with different"
                                        " content (%(known)s)"
                                    ),
                                    payment=record.payment_id,
                                    known=known,
                                ),
                            )
                        ]
                    )
                continue
            stored[record.payment_id] = content
            new_rows.append(
                (
                    self.creditor.pk,
                    loan[0],
                    record.payment_id,
                    record.paid_on,
                    record.amount,
                    record.channel,
                    self.creditor.pk,
                    stamp,
                    stamp,
                )
            )
            self.touched.add(loan[0])
            recorded.add(loan[0])
            outcomes.append(CREATED)
        if new_rows:
            loans_payments_recorded(loan_ids=recorded)
            bulk_load(
                Payment._meta.db_table,
                [
                    "creditor_id",
                    "loan_id",
                    "payment_id",
                    "paid_on",
                    "amount",
                    "channel",
                    "received_by_id",
                    "created_at",
                    "updated_at",
                ],
                new_rows,
            )
        return outcomes

    def finish(self) -> None:
        """Replay every loan that received a payment, so allocations match the new facts."""
        allocations_rebuild(loan_ids=sorted(self.touched))
        self.touched.clear()


def loans_payments_recorded(*, loan_ids: Iterable[int]) -> None:
    """Mark loans as having new payments (call in the transaction that records them)."""
    for batch in chunked(sorted(loan_ids), 900):
        Loan.objects.filter(pk__in=batch).update(payments_version=F("payments_version") + 1)


def payments_ingest_rows(*, creditor: Creditor, rows: Iterable[RowResult]) -> IngestResult:
    """Ingest already-validated payment rows (the demo builder uses this without a file)."""
    return run_ingestor(PaymentIngestor(creditor), rows)
