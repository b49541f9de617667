"""Reads of agency placement: the payments attributed to placements and the monthly
commission statement.

Attribution (no change to payment posting): a payment on the placed loan dated from the
placement's ``placed_on`` up to, not including, the day it stopped (``recalled_on``) — or
its ``ends_on`` while still active — is the agency's recovery. One grouped statement over
placements and ``portfolio.Payment`` answers a whole agency's month.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from arrears.accounts.models import Agency
from arrears.agencies.commission import RateLine, bucket_rate, commission_in_period, rate_label
from arrears.agencies.models import AgencyContract, CommissionRate, Placement
from arrears.core.errors import InvalidInput, NotFound
from arrears.core.money import format_yuan
from arrears.core.sql import table
from arrears.portfolio.models import Payment

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_bounds(text: str) -> tuple[date, date]:
    """``2026-04`` → (first day, first day of the next month); refused with a message."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise InvalidInput(
            _("%(month)s is not a month: write it as YYYY-MM, e.g. 2026-04") % {"month": text},
            field="month",
        )
    year, month = int(match.group(1)), int(match.group(2))
    start = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return start, following


def agency_by_code(code: str) -> Agency:
    """The agency whose code is ``code``; ``NotFound`` naming the known codes otherwise."""
    agency = Agency.objects.filter(code=code.strip()).first()
    if agency is None:
        known = ", ".join(Agency.objects.values_list("code", flat=True)) or _("none")
        raise NotFound(
            _("no agency with code %(code)s; the agencies are: %(known)s")
            % {"code": code, "known": known}
        )
    return agency


def recovered_in_windows(
    *,
    start: date,
    end: date,
    placement_ids: list[int] | None = None,
    agency_id: int | None = None,
    creditor_ids: list[int] | None = None,
) -> dict[int, tuple[int, int]]:
    """Per placement whose window overlaps ``[start, end)`` (the given ones, or those of an
    agency, of some creditors' contracts, or all): (fen recovered in its window before
    ``start``, fen recovered in its window from ``start`` to before ``end``). One grouped
    statement; placements with nothing recovered are left out."""
    placement, payment, contract = table(Placement), table(Payment), table(AgencyContract)
    where = [
        "pay.paid_on < %(end)s",
        "p.placed_on < %(end)s",
        "COALESCE(p.recalled_on, p.ends_on) > %(start)s",
    ]
    params: dict[str, Any] = {"start": start, "end": end}
    if agency_id is not None:
        where.append("p.agency_id = %(agency)s")
        params["agency"] = agency_id
    if creditor_ids is not None:
        if not creditor_ids:
            return {}
        where.append(
            f"p.contract_id IN (SELECT k.id FROM {contract} AS k WHERE k.creditor_id IN"
            f" ({', '.join(str(int(i)) for i in creditor_ids)}))"
        )
    if placement_ids is not None:
        if not placement_ids:
            return {}
        where.append(f"p.id IN ({', '.join(str(int(i)) for i in placement_ids)})")
    sql = f"""
        SELECT p.id,
               SUM(CASE WHEN pay.paid_on < %(start)s THEN pay.amount ELSE 0 END),
               SUM(CASE WHEN pay.paid_on >= %(start)s THEN pay.amount ELSE 0 END)
        FROM {placement} AS p
        JOIN {payment} AS pay ON pay.loan_id = p.loan_id AND pay.paid_on >= p.placed_on
             AND pay.paid_on < COALESCE(p.recalled_on, p.ends_on)
        WHERE {" AND ".join(where)}
        GROUP BY p.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(pid): (int(before or 0), int(during or 0)) for pid, before, during in cursor}


def rate_lines(contract_ids: set[int]) -> dict[int, list[RateLine]]:
    """Each contract's price lines, in one query."""
    lines: dict[int, list[RateLine]] = defaultdict(list)
    for rate in CommissionRate.objects.filter(contract_id__in=contract_ids):
        lines[rate.contract_id].append(
            RateLine(rate_bp=rate.rate_bp, bucket=rate.bucket, from_amount=rate.from_amount)
        )
    return lines


@dataclass(frozen=True)
class StatementLine:
    """One placed case on an agency's monthly statement (amounts in fen)."""

    placement_id: int
    case_id: int
    loan_id: str
    contract: str
    placed_on: date
    until: date
    status: str
    bucket: str
    basis: str
    rate_bp: int | None
    recovered: int
    commission: int
    # For reports over several agencies (left out of ``as_dict``, a statement's own line).
    agency_id: int = 0
    agency: str = ""
    balance: int = 0  # outstanding at placement, fen

    def as_dict(self) -> dict[str, Any]:
        return {
            "placement": self.placement_id,
            "case": self.case_id,
            "loan_id": self.loan_id,
            "contract": self.contract,
            "placed_on": self.placed_on.isoformat(),
            "until": self.until.isoformat(),
            "status": self.status,
            "bucket": self.bucket,
            "basis": self.basis,
            "rate_bp": self.rate_bp,
            "recovered": self.recovered,
            "commission": self.commission,
        }

    @property
    def rate(self) -> str:
        return rate_label(self.rate_bp) if self.rate_bp is not None else _("tiers")

    @property
    def recovered_yuan(self) -> str:
        return format_yuan(self.recovered)

    @property
    def commission_yuan(self) -> str:
        return format_yuan(self.commission)


@dataclass
class Statement:
    """An agency's commission statement (佣金结算单) for one month."""

    agency: Agency
    month: str
    start: date
    end: date
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def recovered(self) -> int:
        return sum(line.recovered for line in self.lines)

    @property
    def commission(self) -> int:
        return sum(line.commission for line in self.lines)

    @property
    def recovered_yuan(self) -> str:
        return format_yuan(self.recovered)

    @property
    def commission_yuan(self) -> str:
        return format_yuan(self.commission)

    def as_dict(self) -> dict[str, Any]:
        """Machine-readable: every amount in integer fen."""
        return {
            "agency": self.agency.code,
            "agency_name": self.agency.name,
            "month": self.month,
            "currency": "CNY",
            "amounts_in": "fen",
            "lines": [line.as_dict() for line in self.lines],
            "totals": {
                "placements": len(self.lines),
                "recovered": self.recovered,
                "commission": self.commission,
            },
        }


def placement_lines(
    *,
    start: date,
    end: date,
    agency_id: int | None = None,
    creditor_ids: list[int] | None = None,
) -> list[StatementLine]:
    """One line per placement whose window overlaps ``[start, end)`` (of one agency, of
    some creditors' contracts, or all): what its loan paid in the window within the
    period and the commission on it (rounding: ``agencies.commission``). Three queries
    whatever the number of placements."""
    found = Placement.objects.filter(placed_on__lt=end).exclude(recalled_on__lte=start)
    found = found.exclude(recalled_on__isnull=True, ends_on__lte=start)
    if agency_id is not None:
        found = found.filter(agency_id=agency_id)
    if creditor_ids is not None:
        found = found.filter(contract__creditor_id__in=creditor_ids)
    placements = list(
        found.select_related("contract", "loan", "agency").order_by("agency_id", "placed_on", "id")
    )
    amounts = recovered_in_windows(
        start=start, end=end, agency_id=agency_id, creditor_ids=creditor_ids
    )
    lines_of = rate_lines({p.contract_id for p in placements})
    result = []
    for p in placements:
        before, during = amounts.get(p.pk, (0, 0))
        lines = lines_of.get(p.contract_id, [])
        basis = p.contract.basis
        result.append(
            StatementLine(
                placement_id=p.pk,
                case_id=p.case_id,
                loan_id=p.loan.loan_id,
                contract=p.contract.reference,
                placed_on=p.placed_on,
                until=p.recalled_on or p.ends_on,
                status=p.status,
                bucket=p.bucket,
                basis=basis,
                rate_bp=bucket_rate(lines, p.bucket) if basis == "bucket" else None,
                recovered=during,
                commission=commission_in_period(
                    basis=basis, lines=lines, bucket=p.bucket, before=before, during=during
                ),
                agency_id=p.agency_id,
                agency=p.agency.name,
                balance=p.outstanding_at_placement,
            )
        )
    return result


def agency_statement(
    *, agency: Agency, month: str, creditor_ids: list[int] | None = None
) -> Statement:
    """The month's commission statement of ``agency`` (``month`` as ``YYYY-MM``): every
    placement whose window overlaps the month, what it recovered in the month, the rate
    and the commission; only the contracts of ``creditor_ids`` when given."""
    start, end = month_bounds(month)
    statement = Statement(agency=agency, month=f"{start:%Y-%m}", start=start, end=end)
    statement.lines = placement_lines(
        start=start, end=end, agency_id=agency.pk, creditor_ids=creditor_ids
    )
    return statement


def active_placement_of(case_id: int) -> Placement | None:
    """The case's active placement, with its agency and contract, or ``None``."""
    return (
        Placement.objects.filter(case_id=case_id, status="active")
        .select_related("agency", "contract")
        .first()
    )


def placement_recovered(placement: Placement) -> int:
    """Everything the loan paid in the placement's window so far (fen)."""
    amounts = recovered_in_windows(
        placement_ids=[placement.pk], start=placement.placed_on, end=date.max
    )
    return sum(amounts.get(placement.pk, (0, 0)))
