"""Reads of payment notices: the ones waiting to be matched by hand, for the reconciliation
page and ``arrears payments unmatched``."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from arrears.core.money import format_yuan
from arrears.portfolio.models import NoticeStatus, PaymentNotice


def notices_unmatched(*, creditor_ids: Collection[int] | None = None) -> QuerySet[PaymentNotice]:
    """Notices kept for reconciliation, newest first, with their creditor and loan.

    ``creditor_ids`` limits them to those creditors' notices (a manager's portfolios);
    None means every notice, those whose creditor is not known included (an administrator,
    the command line)."""
    notices = PaymentNotice.objects.filter(status=NoticeStatus.UNMATCHED).select_related(
        "creditor", "loan"
    )
    if creditor_ids is not None:
        notices = notices.filter(creditor_id__in=list(creditor_ids))
    return notices.order_by("-created_at", "-id")


def notice_row(notice: PaymentNotice) -> dict[str, Any]:
    """One unmatched notice as the command prints it (amount in yuan, times ISO 8601 in
    the site's time zone)."""
    return {
        "id": notice.pk,
        "provider": notice.provider,
        "transaction_id": notice.transaction_id,
        "loan_id": notice.received_loan_id,
        "amount": format_yuan(notice.amount),
        "paid_at": timezone.localtime(notice.paid_at).isoformat(),
        "reason": notice.reason,
        "received_at": timezone.localtime(notice.created_at).isoformat(),
    }
