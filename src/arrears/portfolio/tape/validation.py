"""Row validation: each tape row becomes a clean record, or the full list of its problems.

Errors read "column: what is wrong", one per problem, so a lender can fix a row in one go.
Each is a ``Reason``: English as text, in the user's language in the rejects file (``_`` only
marks the templates for the catalog). Duplicate checks run across the whole file: the first
row with a loan id claims it. Phone numbers without a country code are read in the
creditor's ``region`` (``core.phones``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import arrears.core.phones as phones
from arrears.core.dates import add_months
from arrears.portfolio.tape import duplicates, fields
from arrears.portfolio.tape.columns import COLUMNS_BY_KIND, map_headers
from arrears.portfolio.tape.errors import Reason, in_column
from arrears.portfolio.tape.errors import gettext_noop as _
from arrears.portfolio.tape.limits import ValueBounds
from arrears.portfolio.tape.reading import Tape
from arrears.portfolio.tape.records import (
    GuaranteeTerms,
    LoanRecord,
    PartyRecord,
    PartyRowRecord,
    PaymentRecord,
    RowResult,
)


class _Row:
    """Typed access to one row's cells by canonical name, collecting every error."""

    def __init__(
        self,
        cells: dict[str, object],
        mapping: dict[str, str],
        bounds: ValueBounds,
        region: str = phones.DEFAULT_REGION,
    ) -> None:
        # Each cell is turned into text once: presence checks, text columns and the
        # parsers all read that (a text cell is kept trimmed, as every parser reads it).
        self.values: dict[str, object] = {}
        self.texts: dict[str, str] = {}
        self.bounds = bounds
        self.region = region
        self.errors: list[str] = []
        self.too_long: set[str] = set()
        limit = bounds.max_cell_chars
        for original, name in mapping.items():
            value = cells.get(original)
            if isinstance(value, str):
                if len(value) > limit:
                    self.fail(
                        name, Reason(_("longer than %(limit)s characters"), limit=f"{limit:,}")
                    )
                    self.too_long.add(name)
                value = value.strip()
                self.texts[name] = value
            else:
                self.texts[name] = fields.text(value)
            self.values[name] = value

    def fail(self, name: str, problem: object) -> None:
        """Record ``name: problem`` (a ``Reason``, or text already in the user's words)."""
        self.errors.append(in_column(name, problem))

    def present(self, name: str) -> bool:
        return self.texts.get(name, "") != ""

    def get(self, name: str, parse: Callable[[object], Any], *, required: bool = False) -> Any:
        if name in self.too_long:
            return None
        if not self.texts.get(name):  # absent or empty
            if required:
                self.fail(name, Reason(_("is required")))
            return None
        try:
            return parse(self.values[name])
        except ValueError as exc:
            self.fail(name, exc.args[0] if exc.args and isinstance(exc.args[0], str) else exc)
        except ArithmeticError:  # an infinite or absurdly large number from a spreadsheet
            self.fail(
                name,
                Reason(_("'%(value)s' is out of range"), value=self.texts[name][:40]),
            )
        return None

    def amount(self, name: str, *, required: bool = False) -> Any:
        """An amount in fen within the ceiling (``core.bounds.amount_problem``)."""
        fen = self.get(name, fields.amount, required=required)
        if fen is not None and (problem := self.bounds.amount_problem(fen, allow_zero=False)):
            self.fail(name, problem)
            return None
        return fen

    def day(self, name: str, *, required: bool = False) -> Any:
        """A business date within 1900–2100 (``core.bounds.date_problem``)."""
        day = self.get(name, fields.business_date, required=required)
        if day is not None and (problem := self.bounds.date_problem(day)):
            self.fail(name, Reason(_("%(day)s: %(problem)s"), day=day.isoformat(), problem=problem))
            return None
        return day

    def text(self, name: str, *, required: bool = False, limit: int = 200) -> str:
        if name in self.too_long:
            return ""
        value = self.texts.get(name, "")
        if required and not value:
            self.fail(name, Reason(_("is required")))
        elif len(value) > limit:
            self.fail(name, Reason(_("longer than %(limit)s characters"), limit=limit))
        return value


def _party(
    row: _Row, prefix: str, *, id_required: bool, name_column: str | None = None
) -> PartyRecord | None:
    name = row.text(name_column or f"{prefix}name", required=True)
    identity = row.get(f"{prefix}id_number", fields.identity, required=id_required)
    phone = row.get(f"{prefix}phone", lambda v: fields.phone(v, row.region)) or ""
    email = row.get(f"{prefix}email", fields.email) or ""
    address = row.text(f"{prefix}address", limit=300)
    employer = row.text(f"{prefix}employer")
    if not name:
        return None
    kind, id_type, id_number = identity or ("person", "", "")
    return PartyRecord(name, kind, id_type, id_number, phone, email, address, employer)


def _disbursement(row: _Row) -> Any:
    """The disbursement date, refused before 1990 or more than a month ahead of today.

    A far-past date (0001-01-01) is a source system's empty value, not a loan; a date far
    ahead is a typo. See ``tape.limits`` for the two bounds.
    """
    day = row.day("disbursed_on", required=True)
    bounds = row.bounds
    if day is not None and day < bounds.earliest_disbursement:
        row.fail(
            "disbursed_on",
            Reason(
                _("%(day)s is before %(earliest)s, the earliest disbursement accepted"),
                day=day,
                earliest=bounds.earliest_disbursement,
            ),
        )
        return None
    if day is not None and day > bounds.latest_disbursement:
        row.fail(
            "disbursed_on",
            Reason(
                _("%(day)s is more than %(days)s days after today (%(today)s)"),
                day=day,
                days=bounds.disbursement_lead_days,
                today=bounds.today,
            ),
        )
        return None
    return day


# Built once: a unit is part of a reason only when a row is refused.
_MONTHS, _DAYS = Reason(_(" months")), Reason(_(" days"))
_GUARANTOR_PRESENT = ("guarantor_name", "guarantor_id_number", "guarantor_phone")


def _loan_record(row: _Row) -> LoanRecord | None:
    loan_id = row.text("loan_id", required=True, limit=100)
    borrower = _party(row, "borrower_", id_required=True)
    principal = row.amount("principal", required=True)
    annual_rate = row.get("annual_rate", fields.rate, required=True)
    term = row.get(
        "term_months",
        lambda v: fields.whole_number(v, low=1, high=600, unit=_MONTHS),
        required=True,
    )
    method = row.get(
        "repayment_method",
        lambda v: fields.choice(
            v,
            fields.REPAYMENT_METHODS,
            "annuity/等额本息, equal_principal/等额本金, interest_only/先息后本,"
            " bullet/到期还本付息",
        ),
        required=True,
    )
    disbursed_on = _disbursement(row)
    first_due_on = row.day("first_due_on")
    if first_due_on and disbursed_on and first_due_on <= disbursed_on:
        row.fail(
            "first_due_on",
            Reason(
                _("%(day)s is not after the disbursement date %(disbursed)s"),
                day=first_due_on,
                disbursed=disbursed_on,
            ),
        )
    elif disbursed_on and term:
        # The schedule must end within the dates Arrears handles, so every due date is sane.
        last_due = add_months(first_due_on, term - 1) if first_due_on else None
        last_due = last_due or add_months(disbursed_on, term)
        if last_due > row.bounds.latest_due:
            row.fail(
                "term_months",
                Reason(
                    _("the last installment would fall on %(day)s, after %(latest)s"),
                    day=last_due,
                    latest=row.bounds.latest_due,
                ),
            )
    penalty_rate = row.get("penalty_rate", fields.rate)
    grace = row.get("grace_days", lambda v: fields.whole_number(v, low=0, high=365, unit=_DAYS))
    guarantee_type = row.get(
        "guarantee_type",
        lambda v: fields.choice(
            v, fields.GUARANTEE_TYPES, "credit/信用, guarantee/保证, mortgage/抵押, pledge/质押"
        ),
    )
    currency = row.get("currency", fields.currency) or "CNY"
    guarantor = None
    if any(row.present(name) for name in _GUARANTOR_PRESENT):
        guarantor = _party(row, "guarantor_", id_required=True)
    product = row.text("product", limit=100) or None
    branch = row.text("branch", limit=100)
    if row.errors or borrower is None:
        return None
    return LoanRecord(
        loan_id=loan_id,
        borrower=borrower,
        principal=principal,
        annual_rate=annual_rate,
        term_months=term,
        repayment_method=method,
        disbursed_on=disbursed_on,
        first_due_on=first_due_on,
        penalty_rate=penalty_rate,
        grace_days=grace,
        product=product,
        branch=branch,
        guarantee_type=guarantee_type,
        currency=currency,
        guarantor=guarantor,
    )


def _payment_record(row: _Row) -> PaymentRecord | None:
    payment_id = row.text("payment_id", required=True, limit=100)
    loan_id = row.text("loan_id", required=True, limit=100)
    paid_on = row.day("paid_on", required=True)
    amount = row.amount("amount", required=True)
    channel = row.text("channel", limit=60)
    if row.errors:
        return None
    return PaymentRecord(payment_id, loan_id, paid_on, amount, channel)


def _party_row_record(row: _Row) -> PartyRowRecord | None:
    loan_id = row.text("loan_id", required=True, limit=100)
    role_text = row.texts.get("role", "")
    role = None
    if role_text in ("borrower", "借款人"):
        row.fail(
            "role",
            Reason(
                _(
                    "the borrower comes from the loans tape; this file adds co_borrower,"
                    " guarantor, counter_guarantor or contact_person"
                )
            ),
        )
    else:
        role = row.get(
            "role",
            lambda v: fields.choice(
                v,
                fields.PARTY_ROLES,
                "co_borrower/共同借款人, guarantor/担保人, counter_guarantor/反担保人,"
                " contact_person/紧急联系人",
            ),
            required=True,
        )
    # An emergency contact is not liable and often has no ID on file.
    party = _party(row, "", id_required=role not in (None, "contact_person"), name_column="name")
    guarantee = _guarantee_terms(row, role)
    if row.errors or party is None or role is None:
        return None
    return PartyRowRecord(loan_id, role, party, guarantee)


GUARANTEE_COLUMNS = ("guarantee_kind", "guarantee_period_ends_on", "guarantee_period_months")
GUARANTEE_ROLES = ("guarantor", "counter_guarantor")


def _guarantee_terms(row: _Row, role: str | None) -> GuaranteeTerms | None:
    """The guarantee columns of a guarantor's row (kind default joint); refused on others."""
    given = [name for name in GUARANTEE_COLUMNS if row.present(name)]
    if role not in GUARANTEE_ROLES:
        for name in given if role is not None else ():
            row.fail(name, Reason(_("only guarantor and counter_guarantor rows have a guarantee")))
        return None
    if not given:
        return None
    kind = row.get(
        "guarantee_kind",
        lambda v: fields.choice(v, fields.GUARANTEE_KINDS, "joint/连带, general/一般"),
    )
    ends = None
    if row.texts.get("guarantee_period_ends_on", "").lower() not in fields.UNTIL_REPAID:
        ends = row.day("guarantee_period_ends_on")
    months = row.get(
        "guarantee_period_months",
        lambda v: fields.whole_number(v, low=1, high=600, unit=" months"),
    )
    if ends is not None and months is not None:
        row.fail(
            "guarantee_period_months",
            Reason(_("give guarantee_period_ends_on or guarantee_period_months, not both")),
        )
    return GuaranteeTerms(kind or "joint", ends, months)


def _validate(
    tape: Tape,
    kind: str,
    build: Callable[[_Row], Any],
    duplicate: Callable[[Any, int, dict[str, tuple[int, Any]]], list[str]],
    bounds: ValueBounds | None,
    region: str,
) -> Iterator[RowResult]:
    mapping = map_headers(tape.headers, kind)
    checks = bounds or ValueBounds()
    position = {spec.name: index for index, spec in enumerate(COLUMNS_BY_KIND[kind])}

    def in_column_order(error: str) -> int:
        return position.get(error.split(":", 1)[0], len(position))

    def rows() -> Iterator[RowResult]:
        seen: dict[str, tuple[int, Any]] = {}
        for raw in tape.rows:
            row = _Row(raw.cells, mapping, checks, region)
            record = build(row)
            if record is not None:
                problems = duplicate(record, raw.row_number, seen)
                if problems:
                    row.errors.extend(problems)
                    record = None
            yield RowResult(
                raw.row_number, raw.cells, record, sorted(row.errors, key=in_column_order)
            )

    return rows()


def validate_loan_rows(
    tape: Tape, bounds: ValueBounds | None = None, region: str = phones.DEFAULT_REGION
) -> Iterator[RowResult]:
    """Validate a loans tape; ``TapeError`` at once when a required column is missing."""
    return _validate(tape, "loans", _loan_record, duplicates.loan_duplicate, bounds, region)


def validate_payment_rows(
    tape: Tape, bounds: ValueBounds | None = None, region: str = phones.DEFAULT_REGION
) -> Iterator[RowResult]:
    """Validate a payments file; ``TapeError`` at once when a required column is missing."""
    return _validate(
        tape, "payments", _payment_record, duplicates.payment_duplicate, bounds, region
    )


def validate_party_rows(
    tape: Tape, bounds: ValueBounds | None = None, region: str = phones.DEFAULT_REGION
) -> Iterator[RowResult]:
    """Validate a parties file; ``TapeError`` at once when a required column is missing."""
    return _validate(tape, "parties", _party_row_record, duplicates.party_duplicate, bounds, region)
