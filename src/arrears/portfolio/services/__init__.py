"""Writes to the portfolio: creditors, tape ingest, allocation rebuilds.

Import the service functions from here; the submodules are an implementation detail.
"""

from arrears.portfolio.services.allocations import allocations_rebuild
from arrears.portfolio.services.contact_points import contact_point_invalidate
from arrears.portfolio.services.corrections import loan_correct
from arrears.portfolio.services.creditors import creditor_get_or_create
from arrears.portfolio.services.ingest import IngestResult
from arrears.portfolio.services.limitation import (
    limitation_event_check,
    limitation_event_record,
)
from arrears.portfolio.services.loans_ingest import loans_ingest_rows
from arrears.portfolio.services.parties_ingest import parties_ingest_rows
from arrears.portfolio.services.payment_post import payment_post
from arrears.portfolio.services.payments_ingest import (
    loans_payments_recorded,
    payments_ingest_rows,
)
from arrears.portfolio.services.tape_ingest import tape_ingest
from arrears.portfolio.services.waivers import waiver_post

__all__ = [
    "IngestResult",
    "allocations_rebuild",
    "contact_point_invalidate",
    "creditor_get_or_create",
    "limitation_event_check",
    "limitation_event_record",
    "loan_correct",
    "loans_ingest_rows",
    "loans_payments_recorded",
    "parties_ingest_rows",
    "payment_post",
    "payments_ingest_rows",
    "tape_ingest",
    "waiver_post",
]
