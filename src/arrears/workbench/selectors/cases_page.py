"""The collector workbench's reads under their first name: the queue (``queue``) and the
case page (``case_page``) live in their own modules; this one keeps the names that callers
of the first layout import."""

from __future__ import annotations

from arrears.workbench.selectors.case_page import CasePage, case_get_for, case_page
from arrears.workbench.selectors.queue import QueuePage, QueueRow, queue_for, queue_next

__all__ = [
    "CasePage",
    "QueuePage",
    "QueueRow",
    "case_get_for",
    "case_page",
    "queue_for",
    "queue_next",
]
