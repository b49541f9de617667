"""Test data builders: tape rows and files with valid Chinese identities."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

from arrears.portfolio.synthetic import mobile, unique_resident_id

_rng = random.Random(20260101)
_used_ids: set[str] = set()

LOAN_HEADERS = [
    "loan_id",
    "borrower_name",
    "borrower_id_number",
    "principal",
    "annual_rate",
    "term_months",
    "repayment_method",
    "disbursed_on",
    "penalty_rate",
    "grace_days",
    "borrower_phone",
    "borrower_email",
    "guarantor_name",
    "guarantor_id_number",
    "guarantor_phone",
    "product",
]


def valid_id() -> str:
    return unique_resident_id(_rng, _used_ids)[0]


def valid_phone() -> str:
    return mobile(_rng)


def loan_row(loan_id: str, **overrides: Any) -> dict[str, str]:
    """A good loans-tape row; override any column."""
    row = {
        "loan_id": loan_id,
        "borrower_name": "张三",
        "borrower_id_number": valid_id(),
        "principal": "120,000.00",
        "annual_rate": "12%",
        "term_months": "12",
        "repayment_method": "annuity",
        "disbursed_on": "2026-01-31",
        "penalty_rate": "18%",
        "grace_days": "",
        "borrower_phone": valid_phone(),
        "borrower_email": "",
        "guarantor_name": "",
        "guarantor_id_number": "",
        "guarantor_phone": "",
        "product": "",
    }
    row.update({key: str(value) for key, value in overrides.items()})
    return row


def write_csv(path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8") -> Path:
    """Write ``rows`` (dicts sharing keys) as a CSV tape."""
    headers = list(rows[0]) if rows else LOAN_HEADERS
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=headers)
        writer.writeheader()
        writer.writerows(rows)
    return path


def payment_row(
    payment_id: str, loan_id: str, paid_on: str, amount: str, channel: str = ""
) -> dict[str, str]:
    return {
        "payment_id": payment_id,
        "loan_id": loan_id,
        "paid_on": paid_on,
        "amount": amount,
        "channel": channel,
    }
