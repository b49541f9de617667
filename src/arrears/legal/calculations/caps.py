"""The ceiling a court supports on a loan's charges, by the creditor's kind. Pure module.

The rules and the one-year LPR history are data (``legal/data/interest_caps.json``):
- a licensed financial institution: 24 % a year all-in (法发〔2017〕22号 art. 2);
- a local financial organisation (small-loan company, pawn, factoring…): not bound by the
  private-lending rules (法释〔2020〕27号); courts apply the same 24 %;
- private lending: 4 × the one-year LPR in force when the contract was made (法释〔2020〕17号
  arts. 25, 29). A contract made before the LPR's first fixing (2019-08-20) is measured
  against 4 × the 4.35 % benchmark rate. The transition rule for contracts made before
  2020-08-20 (old 24 %/36 % rule up to 2020-08-19, 4 × LPR at filing after, art. 31) is
  not modelled.

How the ceiling turns into money (``supportable_charges``) is the claim's business: the
rate applies to the principal actually outstanding each day since disbursement.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from arrears.core.money import round_half_up

INTEREST_CAPS_PATH = Path(__file__).resolve().parent.parent / "data" / "interest_caps.json"


@dataclass(frozen=True, slots=True)
class CapRule:
    """The ceiling for one loan: the rule's words, the annual rate, and for private lending
    the LPR it multiplies and the day that LPR took effect (None: the old benchmark)."""

    lender_type: str
    rule: str
    annual_rate: Decimal
    contract_on: date
    lpr: Decimal | None = None
    lpr_effective_on: date | None = None


@dataclass(frozen=True, slots=True)
class LprTable:
    """The one-year LPR by effective date, and the benchmark rate before its first fixing."""

    history: tuple[tuple[date, Decimal], ...]
    before_first: Decimal

    def on(self, day: date) -> tuple[Decimal, date | None]:
        """The one-year rate in force on ``day`` and the day it took effect (None for the
        benchmark rate before the first LPR fixing)."""
        found: tuple[Decimal, date | None] = (self.before_first, None)
        for effective_on, rate in self.history:
            if effective_on > day:
                break
            found = (rate, effective_on)
        return found


@cache
def _caps_data(path: Path = INTEREST_CAPS_PATH) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def lpr_table() -> LprTable:
    """The LPR history shipped in ``legal/data/interest_caps.json``."""
    raw = _caps_data()["lpr"]
    history = tuple(
        (date.fromisoformat(item["effective_on"]), Decimal(item["rate"])) for item in raw["history"]
    )
    if [day for day, _ in history] != sorted(day for day, _ in history):
        raise ValueError("the LPR history must be in date order")
    return LprTable(history=history, before_first=Decimal(raw["before_first"]["rate"]))


def lender_types() -> tuple[str, ...]:
    """The lender types the data knows a ceiling for."""
    return tuple(_caps_data()["rules"])


def cap_rule(lender_type: str, *, contract_on: date) -> CapRule:
    """The ceiling for a loan of a ``lender_type`` creditor made on ``contract_on``.

    Raises ``ValueError`` for a lender type the data has no rule for.
    """
    rules = _caps_data()["rules"]
    if lender_type not in rules:
        raise ValueError(f"no interest ceiling is known for lender type '{lender_type}'")
    raw = rules[lender_type]
    if raw["kind"] == "fixed":
        return CapRule(lender_type, raw["rule"], Decimal(raw["annual_rate"]), contract_on)
    lpr, effective_on = lpr_table().on(contract_on)
    return CapRule(
        lender_type,
        raw["rule"],
        Decimal(raw["multiple"]) * lpr,
        contract_on,
        lpr=lpr,
        lpr_effective_on=effective_on,
    )


def charges_allowance(principal_fen_days: int, annual_rate: Decimal, day_count: int) -> int:
    """The charges (fen) the ceiling allows on ``principal_fen_days`` of principal used:
    Σ fen·days × rate / day_count, rounded half up once."""
    return round_half_up(Fraction(principal_fen_days) * Fraction(annual_rate) / day_count)
