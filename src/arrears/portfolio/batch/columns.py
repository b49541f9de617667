"""Column lists of the position tables, in the order bulk inserts write them."""

from __future__ import annotations

# The limitation events that bear on the debtor's own limitation period, as a SQL filter:
# those recorded without a party, and every suit or arbitration (the debtor is sued even
# when a guarantor is named). A demand to or acknowledgment by a guarantor only concerns
# that guarantee (``calculations.guarantee_period``).
DEBTOR_EVENT = "(party_id IS NULL OR kind = 'legal_action')"

LOAN_COLUMNS = (
    "loan_id",
    "as_of",
    "dpd",
    "bucket",
    "classification",
    "overdue_principal",
    "overdue_interest",
    "overdue_fees",
    "overdue_penalty",
    "penalty_accrued",
    "credit_balance",
    "principal_outstanding",
    "next_due_day",
    "oldest_overdue_day",
    "oldest_unpaid_day",
    "last_paid_on",
    "limitation_expires_on",
    "limitation_day",
    "limitation_watch",
    "penalty_rate_num",
    "penalty_rate_den",
    "payments_count",
    "payments_total",
    "payments_version",
    "pending_payment_day",
    "loan_updated_at",
)
INSTALLMENT_COLUMNS = (
    "installment_id",
    "loan_id",
    "seq",
    "due_day",
    "accrue_after_day",
    "accrued_through_day",
    "principal_unpaid",
    "interest_unpaid",
    "fees_unpaid",
    "fen_days",
    "penalty_accrued",
    "penalty_paid",
)
