"""Reads of the guarantee app: a guarantee company's pay-outs and what came back on them.

The report is one set-based statement over pay-outs, the payments on their claims and the
recorded payers, grouped by guarantee company and pay-out month (the cohort); the
per-company totals are the cohorts summed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection

from arrears.core.errors import NotFound
from arrears.core.money import format_yuan
from arrears.core.sql import table
from arrears.guarantee.models import Payout, RecoveryPayer
from arrears.portfolio.models import Creditor, Payment


def _month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"strftime('%%Y-%%m', {column})"


@dataclass
class Cohort:
    """Pay-outs of one month and what their claims recovered (through the report date)."""

    month: str
    payouts: int = 0
    paid_out: int = 0
    recovered: int = 0
    counter_guarantors: int = 0
    debtors: int = 0

    @property
    def unattributed(self) -> int:
        return self.recovered - self.counter_guarantors - self.debtors

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "payouts": self.payouts,
            "paid_out": format_yuan(self.paid_out),
            "recovered": format_yuan(self.recovered),
            "recovery_rate": _rate(self.recovered, self.paid_out),
            "counter_guarantors": format_yuan(self.counter_guarantors),
            "debtors": format_yuan(self.debtors),
            "unattributed": format_yuan(self.unattributed),
        }


@dataclass
class GuarantorReport:
    """One guarantee company: its cohorts and their totals."""

    guarantor: str
    cohorts: list[Cohort] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        total = Cohort(month="")
        for cohort in self.cohorts:
            total.payouts += cohort.payouts
            total.paid_out += cohort.paid_out
            total.recovered += cohort.recovered
            total.counter_guarantors += cohort.counter_guarantors
            total.debtors += cohort.debtors
        totals = total.as_dict()
        del totals["month"]
        return {
            "guarantor": self.guarantor,
            **totals,
            "cohorts": [cohort.as_dict() for cohort in self.cohorts],
        }


def _rate(part: int, whole: int) -> str | None:
    # Four decimals, half up: 0.1234 is 12.34 %.
    if not whole:
        return None
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def guarantee_report(
    *, creditor: str | None = None, as_of: date | None = None
) -> list[GuarantorReport]:
    """Pay-outs and recoveries per guarantee company and pay-out month.

    ``paid_out``: the pay-outs; ``recovered``: every payment on their claims through
    ``as_of`` (all when None); ``counter_guarantors`` / ``debtors``: the part recorded with a
    payer of that role (``RecoveryPayer``); the rest is unattributed. ``creditor`` limits the
    report to one guarantee company (``NotFound`` for an unknown name).
    """
    params: dict[str, Any] = {"as_of": as_of}
    where = ""
    if creditor:
        found = Creditor.objects.filter(name=creditor.strip()).values_list("pk", flat=True).first()
        if found is None:
            raise NotFound(f"no creditor called '{creditor}'")
        where = "WHERE po.guarantor_id = %(guarantor)s"
        params["guarantor"] = found
    paid_through = "" if as_of is None else "AND pay.paid_on <= %(as_of)s"
    sql = f"""
        WITH recovered AS (
            SELECT pay.loan_id AS claim_id,
                SUM(pay.amount) AS total,
                SUM(CASE WHEN rp.role = 'counter_guarantor' THEN pay.amount ELSE 0 END) AS cg,
                SUM(CASE WHEN rp.role IN ('borrower', 'co_borrower') THEN pay.amount ELSE 0 END)
                    AS debtors
            FROM {table(Payment)} AS pay
            LEFT JOIN {table(RecoveryPayer)} AS rp ON rp.payment_id = pay.id
            WHERE pay.loan_id IN (SELECT claim_id FROM {table(Payout)}) {paid_through}
            GROUP BY pay.loan_id
        )
        SELECT cr.name, {_month("po.paid_on")} AS month, COUNT(*), SUM(po.amount),
            SUM(COALESCE(r.total, 0)), SUM(COALESCE(r.cg, 0)), SUM(COALESCE(r.debtors, 0))
        FROM {table(Payout)} AS po
        JOIN {table(Creditor)} AS cr ON cr.id = po.guarantor_id
        LEFT JOIN recovered AS r ON r.claim_id = po.claim_id
        {where}
        GROUP BY cr.name, {_month("po.paid_on")}
        ORDER BY cr.name, month
    """
    reports: dict[str, GuarantorReport] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for name, month, count, paid, recovered, cg, debtors in cursor.fetchall():
            report = reports.setdefault(name, GuarantorReport(guarantor=name))
            report.cohorts.append(
                Cohort(month, int(count), int(paid), int(recovered), int(cg), int(debtors))
            )
    return list(reports.values())


def payout_of_loan(loan_pk: int) -> Payout | None:
    """The pay-out of a lender's loan, or the one whose claim this loan is; None if neither."""
    return (
        Payout.objects.select_related("loan", "claim", "guarantor").filter(loan_id=loan_pk).first()
        or Payout.objects.select_related("loan", "claim", "guarantor")
        .filter(claim_id=loan_pk)
        .first()
    )
