"""The repayment-plan quote (分期还款测算): an amount, a down payment and a number of monthly
installments become a schedule of payments.

Pure module (no Django): the quote page shows it without saving, and ``plan_request`` saves
exactly what it returns. Practitioners' usual offer is "30 % now and the rest over six
months", so the down payment may be given in fen or as a percentage of the amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from arrears.core.dates import add_months
from arrears.core.money import round_half_up

MAX_INSTALLMENTS = 60
# An installment under one yuan is not a payment anyone arranges, and keeping every
# installment at least this large also keeps the last one (which takes the remainder)
# positive: see ``plan_quote``.
MIN_INSTALLMENT = 100


class QuoteError(ValueError):
    """A quote that cannot be made; ``field`` names the input to correct."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class QuoteLine:
    """One payment of a quoted plan: number 0 is the down payment, 1..n the installments."""

    number: int
    due_on: date
    amount: int


def down_payment_of(total: int, percent: Decimal | int | str) -> int:
    """The down payment that is ``percent`` % of ``total`` fen, rounded once, half up, to
    the fen (30 % of 1,000.01 yuan is 300.00 yuan, 300.003 rounded)."""
    try:
        share = Fraction(Decimal(str(percent)))
    except (ArithmeticError, ValueError) as exc:
        raise QuoteError(f"'{percent}' is not a percentage", field="down_payment") from exc
    if share < 0 or share > 100:
        raise QuoteError("a percentage is between 0 and 100", field="down_payment")
    return round_half_up(Fraction(total) * share / 100)


def plan_quote(
    *,
    total: int,
    down_payment: int,
    installments: int,
    start_on: date,
    today: date,
    down_on: date | None = None,
) -> list[QuoteLine]:
    """The schedule of a plan covering ``total`` fen.

    Number 0 is the down payment, due on ``down_on`` (default ``today``, the day the plan is
    made); none when it is 0. Then ``installments`` monthly payments from ``start_on``, on
    the same day of each month (clamped to the month's end: a plan starting 31 January pays
    on 28/29 February, then 31 March).

    Rounding rule: each installment is (total − down payment) / n rounded half up to the fen
    and the last takes the remainder, so the lines always sum to ``total`` exactly. With
    every installment at least ``MIN_INSTALLMENT`` fen the rounding moves each by at most
    half a fen, so the last differs from the others by under n/2 fen and stays positive.
    """
    if total <= 0:
        raise QuoteError("the amount must be more than zero", field="total")
    if down_payment < 0:
        raise QuoteError("the down payment cannot be negative", field="down_payment")
    if down_payment > total:
        raise QuoteError("the down payment is more than the amount", field="down_payment")
    if installments < 1 or installments > MAX_INSTALLMENTS:
        raise QuoteError(
            f"the number of installments is 1 to {MAX_INSTALLMENTS}", field="installments"
        )
    if start_on < today:
        raise QuoteError("the first installment cannot be before today", field="start_on")
    due_first = down_on or today
    if due_first < today:
        raise QuoteError("the down payment cannot be due before today", field="down_on")
    if due_first > start_on:
        raise QuoteError("the down payment is due before the first installment", field="down_on")
    rest = total - down_payment
    if rest < installments * MIN_INSTALLMENT:
        raise QuoteError(
            "after the down payment each installment would be under 1 yuan: lower the down "
            "payment or the number of installments",
            field="installments" if rest else "down_payment",
        )
    each = round_half_up(Fraction(rest, installments))
    lines = [QuoteLine(0, due_first, down_payment)] if down_payment else []
    for number in range(1, installments + 1):
        amount = each if number < installments else rest - each * (installments - 1)
        lines.append(QuoteLine(number, add_months(start_on, number - 1, start_on.day), amount))
    return lines
