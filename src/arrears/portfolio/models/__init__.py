"""The portfolio ledger: who owes what to whom, under which terms, and what was paid.

Amounts are integer fen (``BigIntegerField``); rates are exact decimal fractions
(``Decimal("0.12")`` is 12 %). The state of a loan on a date is never stored as a truth of
its own: it is the replay of the schedule and payments (``calculations``); positions are
the cycle's stored copy of that replay for its last business date.
"""

from arrears.portfolio.models.loans import Installment, Loan, LoanParty
from arrears.portfolio.models.money import Allocation, Payment, Waiver
from arrears.portfolio.models.notices import (
    NoticeReason,
    NoticeStatus,
    PaymentNotice,
    payment_id_of,
)
from arrears.portfolio.models.parties import (
    DEFAULT_ALLOCATION_ORDER,
    DEFAULT_PENALTY_MULTIPLIER,
    RATE_DECIMALS,
    RATE_MAX_DIGITS,
    ContactPoint,
    Creditor,
    Party,
    Product,
)
from arrears.portfolio.models.positions import InstallmentPosition, LoanHistory, LoanPosition
from arrears.portfolio.models.records import LimitationEvent, TapeImport
from arrears.portfolio.models.writeoffs import BlacklistEntry, BlacklistStatus, WriteOff

__all__ = [
    "DEFAULT_ALLOCATION_ORDER",
    "DEFAULT_PENALTY_MULTIPLIER",
    "RATE_DECIMALS",
    "RATE_MAX_DIGITS",
    "Allocation",
    "BlacklistEntry",
    "BlacklistStatus",
    "ContactPoint",
    "Creditor",
    "Installment",
    "InstallmentPosition",
    "LimitationEvent",
    "Loan",
    "LoanHistory",
    "LoanParty",
    "LoanPosition",
    "NoticeReason",
    "NoticeStatus",
    "Party",
    "Payment",
    "PaymentNotice",
    "Product",
    "TapeImport",
    "Waiver",
    "WriteOff",
    "payment_id_of",
]
