"""Which loans a person may look up (the loan page, ``GET /api/v1/loans/{id}``), and the
home page's counts over them.

The loan scope follows the case scope (``arrears.cases.scoping``): a manager, legal officer
or auditor sees the whole portfolio of the creditors they are given (loans without a case
too); a collector, field agent or team lead the loans of the cases they see; an
administrator everything. A loan outside the scope is reported as not found, like a case.
"""

from __future__ import annotations

from django.db.models import QuerySet

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.accounts.selectors import creditor_ids_of
from arrears.cases.scoping import cases_visible_to
from arrears.portfolio.models import Creditor, Loan, Payment

PORTFOLIO_ROLES = frozenset({Role.MANAGER, Role.LEGAL_OFFICER, Role.COMPLIANCE_AUDITOR})


def _sees_everything(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role == Role.ADMIN)


def loans_visible_to(user: User) -> QuerySet[Loan]:
    """Every loan ``user`` may look up."""
    if not user.is_active:
        return Loan.objects.none()
    if _sees_everything(user):
        return Loan.objects.all()
    if user.role in PORTFOLIO_ROLES:
        return Loan.objects.filter(creditor_id__in=creditor_ids_of(user))
    return Loan.objects.filter(pk__in=cases_visible_to(user).values("loan_id"))


def portfolio_counts_for(user: User) -> dict[str, int]:
    """The home page's headline counts over what ``user`` may see (three COUNT queries):
    the creditors, loans and payments of the whole book for an administrator, of their
    creditors for a manager, legal officer or auditor."""
    if _sees_everything(user):
        creditors, loans = Creditor.objects.all(), Loan.objects.all()
        payments = Payment.objects.all()
    else:
        ids = creditor_ids_of(user) if user.role in PORTFOLIO_ROLES else []
        creditors = Creditor.objects.filter(pk__in=ids)
        loans = Loan.objects.filter(creditor_id__in=ids)
        payments = Payment.objects.filter(creditor_id__in=ids)
    return {"creditors": creditors.count(), "loans": loans.count(), "payments": payments.count()}
