"""Posting a write-off (核销) to the ledger: the loan leaves the active book, the balance
written off is kept by component, and the debt stays owed (账销案存).

After posting, the loan's status is ``written_off``: the daily cycle no longer moves its
position or opens a case for it, payments still post to it (``payment_post`` does not look
at the status), and reports count those payments as post-write-off recoveries
(``insights.writeoff_recoveries``).
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.audit import audit_record
from arrears.core.errors import InvalidInput
from arrears.portfolio.choices import LoanStatus
from arrears.portfolio.models import Loan, WriteOff
from arrears.portfolio.selectors import loan_state


def writeoff_balance(loan: Loan, on: date) -> dict[str, int]:
    """What the loan owes on ``on`` by component (fen): all outstanding principal, due or
    not, and the interest, fees and penalty of the installments already due."""
    state = loan_state(loan, as_of=on)
    due = [item for item in state.installments if item.due_on <= on]
    return {
        "principal": state.principal_outstanding,
        "interest": sum(item.outstanding.interest for item in due),
        "fees": sum(item.outstanding.fees for item in due),
        "penalty": sum(item.outstanding.penalty for item in due),
    }


@transaction.atomic
def loan_write_off(
    *, loan: Loan, on: date, by: AbstractBaseUser | None, proposal_id: int | None = None
) -> WriteOff:
    """Write ``loan`` off on ``on``: a ``WriteOff`` with what it owed that day, the loan's
    status ``written_off``, an audit entry. Refused unless the loan is active and owes
    something."""
    locked = Loan.objects.select_for_update().get(pk=loan.pk)
    if locked.status != LoanStatus.ACTIVE:
        raise InvalidInput(
            _("loan %(loan)s is %(status)s: only an active loan can be written off")
            % {"loan": locked.loan_id, "status": locked.get_status_display()},
            field="loan",
        )
    owed = writeoff_balance(locked, on)
    if sum(owed.values()) <= 0:
        raise InvalidInput(
            _("loan %(loan)s owes nothing on %(on)s") % {"loan": locked.loan_id, "on": on},
            field="loan",
        )
    record = WriteOff.objects.create(
        loan=locked,
        written_off_on=on,
        proposal_id=proposal_id,
        approved_by_id=by.pk if by is not None else None,
        **owed,
    )
    Loan.objects.filter(pk=locked.pk).update(
        status=LoanStatus.WRITTEN_OFF, updated_at=timezone.now()
    )
    loan.status = LoanStatus.WRITTEN_OFF
    audit_record(
        actor=by,
        action="writeoff.post",
        subject_type="loan",
        subject_id=locked.pk,
        data={"loan": locked.loan_id, "on": on.isoformat(), "proposal": proposal_id, **owed},
    )
    return record
