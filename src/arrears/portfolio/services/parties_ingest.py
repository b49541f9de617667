"""Ingest of extra parties: co-borrowers, guarantors, counter-guarantors, emergency contacts.

A row links a party to a loan in a role. Parties with an ID number are matched by it; an
emergency contact often has none, so one is matched by loan, role and name instead, which
keeps a second import of the same file from creating a twin.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from arrears.core.bulk import chunked
from arrears.core.bulk_load import bulk_load, db_stamp
from arrears.portfolio.choices import GuaranteeKind, PartyRole
from arrears.portfolio.models import ContactPoint, Creditor, Loan, LoanParty, Party
from arrears.portfolio.services.ingest import (
    CREATED,
    UNCHANGED,
    UPDATED,
    IngestResult,
    Outcome,
    run_ingestor,
)
from arrears.portfolio.services.party_upsert import KnownParty, PartyUpsert
from arrears.portfolio.tape.errors import Reason, in_column
from arrears.portfolio.tape.errors import gettext_noop as _
from arrears.portfolio.tape.records import PartyRowRecord, RowResult

GUARANTEE_ROLES = (PartyRole.GUARANTOR.value, PartyRole.COUNTER_GUARANTOR.value)
# A link's guarantee terms as stored: kind, agreed end, agreed months.
Terms = tuple[str, date | None, int | None]


@dataclass
class PartyIngestor:
    """Writes party rows of one creditor."""

    creditor: Creditor
    tables = tuple(model._meta.db_table for model in (Party, ContactPoint, LoanParty))

    def finish(self) -> None:
        """Nothing is deferred past the last chunk for parties."""

    def prepare(self, rows: list[RowResult]) -> None:
        """Nothing of a party row is worked out ahead of its chunk."""

    def ingest_chunk(self, rows: list[RowResult], prepared: object = None) -> list[Outcome]:
        records: list[PartyRowRecord] = [row.record for row in rows]
        loans: dict[str, int] = {}
        for batch in chunked(sorted({r.loan_id for r in records}), 900):
            loans.update(
                Loan.objects.filter(creditor=self.creditor, loan_id__in=batch).values_list(
                    "loan_id", "pk"
                )
            )
        # Parties without an ID already on these loans, by (loan, role, name). An empty ID
        # number is stored empty (not encrypted), so this is a plain comparison.
        anonymous: dict[tuple[int, str, str], KnownParty] = {
            (loan_pk, role, name): KnownParty(pk, kind, name, id_type, "", employer)
            for loan_pk, role, pk, kind, name, id_type, employer in (
                LoanParty.objects.filter(
                    loan_id__in=list(loans.values()), party__id_number_index=""
                )
                .order_by()
                .values_list(
                    "loan_id",
                    "role",
                    "party_id",
                    "party__kind",
                    "party__name",
                    "party__id_type",
                    "party__employer",
                )
            )
        }
        # Each link on file with its guarantee terms, so a row that changes them updates it.
        linked: dict[tuple[int, int, str], tuple[int, Terms]] = {
            (loan_pk, party_pk, role): (pk, (kind, ends, months))
            for pk, loan_pk, party_pk, role, kind, ends, months in LoanParty.objects.filter(
                loan_id__in=list(loans.values())
            ).values_list(
                "pk",
                "loan_id",
                "party_id",
                "role",
                "guarantee_kind",
                "guarantee_period_ends_on",
                "guarantee_period_months",
            )
        }
        upsert = PartyUpsert(self.creditor, source="tape")
        outcomes: list[Outcome] = []
        # (row index, handle, loan pk, role, guarantee terms or None: keep what is on file)
        slots: list[tuple[int, int, int, str, Terms | None]] = []
        for index, record in enumerate(records):
            loan_pk = loans.get(record.loan_id)
            if loan_pk is None:
                outcomes.append(
                    [
                        in_column(
                            "loan_id",
                            Reason(
                                _("'%(loan)s' is not in the portfolio (import the loan first)"),
                                loan=record.loan_id,
                            ),
                        )
                    ]
                )
                continue
            pinned = None
            if not record.party.id_number:
                pinned = anonymous.get((loan_pk, record.role, record.party.name))
            handle = upsert.add(record.party, pinned)
            slots.append((index, handle, loan_pk, record.role, _terms(record)))
            outcomes.append(UNCHANGED)
        party_ids, changed = upsert.flush()
        now = timezone.now()
        stamp = db_stamp(now)  # a bulk-loaded row's created_at and updated_at
        new_links: list[tuple[object, ...]] = []
        retermed: dict[Terms, list[int]] = defaultdict(list)
        for index, handle, loan_pk, role, terms in slots:
            link = (loan_pk, party_ids[handle], role)
            known = linked.get(link)
            if known is None:
                stored = terms or _default_terms(role)
                linked[link] = (0, stored)
                new_links.append((*link, *stored, stamp, stamp))
                outcomes[index] = CREATED
            elif terms is not None and terms != known[1] and known[0]:
                linked[link] = (known[0], terms)
                retermed[terms].append(known[0])
                outcomes[index] = UPDATED
            elif changed[handle]:
                outcomes[index] = UPDATED
        if new_links:
            bulk_load(
                LoanParty._meta.db_table,
                [
                    "loan_id",
                    "party_id",
                    "role",
                    "guarantee_kind",
                    "guarantee_period_ends_on",
                    "guarantee_period_months",
                    "created_at",
                    "updated_at",
                ],
                new_links,
            )
        # Changed terms are rare (a corrected file): one UPDATE per distinct set of terms.
        for (kind, ends, months), pks in retermed.items():
            for chunk in chunked(pks, 900):
                LoanParty.objects.filter(pk__in=chunk).update(
                    guarantee_kind=kind,
                    guarantee_period_ends_on=ends,
                    guarantee_period_months=months,
                    updated_at=now,
                )
        return outcomes


def _terms(record: PartyRowRecord) -> Terms | None:
    terms = record.guarantee
    if terms is None:
        return None
    return (terms.kind, terms.period_ends_on, terms.period_months)


def _default_terms(role: str) -> Terms:
    """A new guarantee whose row gives no terms: joint (what lenders' contracts say), no
    agreed period; not a guarantee at all for other roles."""
    return (GuaranteeKind.JOINT.value if role in GUARANTEE_ROLES else "", None, None)


def parties_ingest_rows(*, creditor: Creditor, rows: Iterable[RowResult]) -> IngestResult:
    """Ingest already-validated party rows."""
    return run_ingestor(PartyIngestor(creditor), rows)
