"""Writes of the legal desk: opening a matter, recording its events and costs, closing it.

Each service checks the person's role, writes its audit entry in the caller's transaction
and keeps the rest of the house in step: a court filing restarts the loans' limitation
periods (``portfolio.LimitationEvent``), a matter of a kind the creditor's pack names places
the ``litigation`` hold (only the legal channel from then on) and lifts it when the last
such matter on the loan closes, and the playbook's legal-referral work items of the loans'
open cases are done once a matter exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.roles import refusal, role_can
from arrears.cases.models import CollectionCase, WorkItem
from arrears.compliance.choices import HoldKind
from arrears.compliance.models import Hold
from arrears.compliance.selectors import policy_for
from arrears.compliance.services import hold_lift, hold_place
from arrears.core.audit import audit_record
from arrears.core.bounds import amount_check
from arrears.core.errors import InvalidInput
from arrears.legal.choices import (
    CostKind,
    MatterEventKind,
    MatterKind,
    MatterOutcome,
    MatterStatus,
)
from arrears.legal.claims import loan_claim
from arrears.legal.models import Matter, MatterCost, MatterEvent, MatterLoan
from arrears.portfolio.choices import LimitationEventKind
from arrears.portfolio.models import Loan, LoanParty
from arrears.portfolio.services import limitation_event_record

E = MatterEventKind
MATTER_KEY_PREFIX = "法务案件 #"
MATTER_KIND_ZH: dict[str, str] = {
    MatterKind.LAWYER_LETTER: "律师函",
    MatterKind.PAYMENT_ORDER: "支付令",
    MatterKind.LAWSUIT: "诉讼",
    MatterKind.PRESERVATION: "财产保全",
    MatterKind.ENFORCEMENT: "强制执行",
}
# The events each kind of matter can have; anything else is a slip of the pen.
EVENTS_BY_KIND: dict[str, frozenset[str]] = {
    MatterKind.LAWYER_LETTER: frozenset({E.SERVED, E.RECOVERED, E.WITHDRAWN, E.TERMINATED}),
    MatterKind.PAYMENT_ORDER: frozenset(
        {E.FILED, E.ACCEPTED, E.ISSUED, E.SERVED, E.OBJECTION, E.EFFECTIVE}
        | {E.PERFORMANCE_DEADLINE, E.ENFORCEMENT_FILED, E.RECOVERED, E.WITHDRAWN, E.TERMINATED}
    ),
    MatterKind.LAWSUIT: frozenset(
        {E.FILED, E.ACCEPTED, E.SERVED, E.HEARING, E.JUDGMENT, E.MEDIATED, E.EFFECTIVE}
        | {E.PERFORMANCE_DEADLINE, E.PRESERVATION_GRANTED, E.ENFORCEMENT_FILED, E.RECOVERED}
        | {E.WITHDRAWN, E.TERMINATED}
    ),
    MatterKind.PRESERVATION: frozenset(
        {E.FILED, E.ACCEPTED, E.PRESERVATION_GRANTED, E.SERVED, E.RECOVERED, E.WITHDRAWN}
        | {E.TERMINATED}
    ),
    MatterKind.ENFORCEMENT: frozenset(
        {E.FILED, E.ACCEPTED, E.SERVED, E.PRESERVATION_GRANTED, E.DISHONEST_LISTED}
        | {E.RECOVERED, E.WITHDRAWN, E.TERMINATED}
    ),
}
# Events that end a matter, and the outcome they give it.
CLOSING_EVENTS: dict[str, str] = {
    E.OBJECTION: MatterOutcome.OBJECTED,
    E.WITHDRAWN: MatterOutcome.WITHDRAWN,
    E.TERMINATED: MatterOutcome.TERMINATED,
}
# Events that are themselves a filing with a court: each restarts the limitation period
# (民法典 art. 195(3); a payment order application counts as a suit, 诉讼时效规定 art. 11).
FILING_EVENTS = frozenset({E.FILED, E.ENFORCEMENT_FILED})
COURT_KINDS = frozenset(
    {MatterKind.PAYMENT_ORDER, MatterKind.LAWSUIT, MatterKind.PRESERVATION, MatterKind.ENFORCEMENT}
)
JUDGMENT_OUTCOMES = frozenset({MatterOutcome.WON, MatterOutcome.PARTLY_WON, MatterOutcome.LOST})


def _require(user: Any, capability: str = "legal_manage") -> None:
    # ``None`` is the server's operator at the command line, who may do anything.
    if user is not None and not role_can(user.role, capability):
        raise PermissionDenied(refusal(user.role, capability))


def _day_check(on: date, *, field: str, not_before: date, what: str) -> None:
    if on > timezone.localdate():
        raise InvalidInput(
            _("%(on)s is in the future: record it once it has happened") % {"on": on},
            field=field,
        )
    if on < not_before:
        raise InvalidInput(
            _("%(on)s is before %(what)s (%(then)s)")
            % {"on": on, "what": what, "then": not_before},
            field=field,
        )


def _evidence(matter: Matter) -> str:
    """How holds and limitation events name the matter: in Chinese whatever the language of
    the person acting, since they are records (shown as written, on the case page and in
    court papers), and with the number first so the matter's own holds can be found."""
    court = " ".join(part for part in (matter.court, matter.case_number) if part)
    return f"{MATTER_KEY_PREFIX}{matter.pk} {MATTER_KIND_ZH[matter.kind]} {court}".strip()


def _restart_limitation(matter: Matter, *, kind: str, on: date, user: Any) -> None:
    for loan in Loan.objects.filter(pk__in=matter.matter_loans.values("loan_id")):
        limitation_event_record(
            loan=loan, kind=kind, occurred_on=on, evidence=_evidence(matter), recorded_by=user
        )


def _borrowers(loan_ids: Sequence[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for loan_id, party_id in LoanParty.objects.filter(
        loan_id__in=loan_ids, role="borrower"
    ).values_list("loan_id", "party_id"):
        found.setdefault(loan_id, set()).add(party_id)
    return found


def _covered_loans(loan: Loan, also: Sequence[Loan]) -> list[Loan]:
    """The lead loan and the others a matter against the same borrower may cover."""
    others = [other for other in also if other.pk != loan.pk]
    if not others:
        return [loan]
    borrowers = _borrowers([loan.pk, *(other.pk for other in others)])
    for other in others:
        if other.creditor_id != loan.creditor_id:
            raise InvalidInput(
                _("loan %(loan)s belongs to another creditor") % {"loan": other.loan_id},
                field="loans",
            )
        if not borrowers.get(other.pk, set()) & borrowers.get(loan.pk, set()):
            raise InvalidInput(
                _("loan %(loan)s has another borrower: a matter covers one borrower's loans")
                % {"loan": other.loan_id},
                field="loans",
            )
    return [loan, *others]


@transaction.atomic
def matter_open(
    *,
    loan: Loan,
    kind: str,
    on: date,
    court: str = "",
    case_number: str = "",
    also: Sequence[Loan] = (),
    parent: Matter | None = None,
    notes: str = "",
    claim_amount: int | None = None,
    user: Any = None,
) -> Matter:
    """Open a legal matter of ``kind`` for ``loan`` (and ``also``, the same borrower's other
    loans) on business date ``on``: the day the letter went out or the papers were filed.

    A court matter counts as filed on ``on``: it restarts the loans' limitation periods and,
    where the pack says so, places the litigation hold. A lawyer letter restarts limitation
    when it is served (``matter_event_record(kind="served")``), not when it is drafted.
    ``claim_amount`` (fen) defaults to the claim calculator's total for the loans on ``on``.
    """
    _require(user)
    if kind not in MatterKind.values:
        raise InvalidInput(
            _("kind must be one of %(kinds)s") % {"kinds": ", ".join(MatterKind.values)},
            field="kind",
        )
    _day_check(on, field="on", not_before=loan.disbursed_on, what=_("the loan was disbursed"))
    loans = _covered_loans(loan, also)
    if claim_amount is None:
        claim_amount = sum(loan_claim(x, as_of=on).total for x in loans)
    amount_check(claim_amount, field="claim_amount")
    clash = (
        Matter.objects.filter(
            status=MatterStatus.OPEN, kind=kind, matter_loans__loan__in=[x.pk for x in loans]
        )
        .order_by("pk")
        .first()
    )
    if clash is not None:
        raise InvalidInput(
            _("matter #%(id)s of this kind is already open for this debt") % {"id": clash.pk},
            field="kind",
        )
    if parent is not None and not parent.matter_loans.filter(loan=loan).exists():
        raise InvalidInput(_("the earlier matter does not cover this loan"), field="parent")
    in_court = kind in COURT_KINDS
    matter = Matter.objects.create(
        creditor_id=loan.creditor_id,
        loan=loan,
        kind=kind,
        court=court.strip(),
        case_number=case_number.strip(),
        opened_on=on,
        filed_on=on if in_court else None,
        claim_amount=claim_amount,
        parent=parent,
        notes=notes.strip(),
        opened_by=user,
    )
    MatterLoan.objects.bulk_create([MatterLoan(matter=matter, loan=x) for x in loans])
    if in_court:
        _restart_limitation(matter, kind=LimitationEventKind.LEGAL_ACTION, on=on, user=user)
    pack, _zone = policy_for(loan)
    if kind in pack.litigation_hold_kinds:
        holds = [
            hold_place(
                kind=HoldKind.LITIGATION,
                reason=f"{_evidence(matter)}，{on.isoformat()} 开立，仅可经法律途径联系",
                loan=x,
                placed_by=user,
            )
            for x in loans
        ]
        matter.hold = holds[0]
        matter.save(update_fields=["hold", "updated_at"])
    WorkItem.objects.filter(
        type="legal_referral",
        status="open",
        case__in=CollectionCase.objects.filter(loan__in=loans, status="open"),
    ).update(status="done", closed_at=timezone.now())
    audit_record(
        actor=user,
        action="legal.matter_open",
        subject_type="legal_matter",
        subject_id=matter.pk,
        data={"kind": kind, "loans": [x.loan_id for x in loans], "on": on.isoformat()},
    )
    return matter


def _lift_holds(matter: Matter, *, user: Any) -> None:
    """Lift the litigation holds this matter placed; another open matter's stay."""
    for hold in Hold.objects.filter(
        kind=HoldKind.LITIGATION,
        loan_id__in=matter.matter_loans.values("loan_id"),
        lifted_at__isnull=True,
        # Every hold a matter places names it in its reason (``_evidence``).
        reason__contains=f"{MATTER_KEY_PREFIX}{matter.pk} ",
    ):
        hold_lift(hold=hold, lifted_by=user)


def _close(matter: Matter, *, outcome: str, on: date, user: Any) -> None:
    matter.status, matter.outcome, matter.closed_on = MatterStatus.CLOSED, outcome, on
    matter.save(update_fields=["status", "outcome", "closed_on", "updated_at"])
    _lift_holds(matter, user=user)


@transaction.atomic
def matter_event_record(
    *,
    matter: Matter,
    kind: str,
    on: date,
    note: str = "",
    amount: int = 0,
    outcome: str = "",
    user: Any = None,
) -> MatterEvent:
    """Record what the court or a party did on ``on``; the deadlines follow from it.

    A filing restarts limitation, a lawyer letter's service counts as a demand, a judgment
    may carry its outcome, and an objection, withdrawal or termination closes the matter.
    """
    _require(user)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if matter.status != MatterStatus.OPEN:
        raise InvalidInput(_("matter #%(id)s is closed") % {"id": matter.pk}, field="matter")
    allowed = EVENTS_BY_KIND[matter.kind]
    if kind not in allowed:
        raise InvalidInput(
            _("a %(matter)s has no event %(kind)s; it may have: %(allowed)s")
            % {
                "matter": matter.get_kind_display(),
                "kind": kind,
                "allowed": ", ".join(k for k in MatterEventKind.values if k in allowed),
            },
            field="kind",
        )
    _day_check(on, field="on", not_before=matter.opened_on, what=_("the matter was opened"))
    if kind == E.RECOVERED:
        amount_check(amount, field="amount", allow_zero=False)
    elif amount:
        raise InvalidInput(_("only a recovery carries an amount"), field="amount")
    if outcome and (kind != E.JUDGMENT or outcome not in JUDGMENT_OUTCOMES):
        raise InvalidInput(
            _("an outcome goes with a judgment: %(outcomes)s")
            % {"outcomes": ", ".join(sorted(JUDGMENT_OUTCOMES))},
            field="outcome",
        )
    event = MatterEvent.objects.create(
        matter=matter, kind=kind, occurred_on=on, amount=amount, note=note.strip(), recorded_by=user
    )
    if kind in FILING_EVENTS:
        if kind == E.FILED and matter.filed_on is None:
            matter.filed_on = on
            matter.save(update_fields=["filed_on", "updated_at"])
        _restart_limitation(matter, kind=LimitationEventKind.LEGAL_ACTION, on=on, user=user)
    elif kind == E.SERVED and matter.kind == MatterKind.LAWYER_LETTER:
        _restart_limitation(matter, kind=LimitationEventKind.DEMAND, on=on, user=user)
    if outcome:
        matter.outcome = outcome
        matter.save(update_fields=["outcome", "updated_at"])
    elif kind == E.MEDIATED:
        matter.outcome = MatterOutcome.SETTLED
        matter.save(update_fields=["outcome", "updated_at"])
    if kind in CLOSING_EVENTS:
        _close(matter, outcome=CLOSING_EVENTS[kind], on=on, user=user)
    audit_record(
        actor=user,
        action="legal.matter_event",
        subject_type="legal_matter",
        subject_id=matter.pk,
        data={"kind": kind, "on": on.isoformat(), "amount": amount, "outcome": outcome},
    )
    return event


@transaction.atomic
def matter_cost_record(
    *,
    matter: Matter,
    kind: str,
    amount: int,
    on: date,
    recoverable: bool = True,
    note: str = "",
    user: Any = None,
) -> MatterCost:
    """Record money spent on a matter; a recoverable cost joins the loans' claim."""
    _require(user)
    if kind not in CostKind.values:
        raise InvalidInput(
            _("kind must be one of %(kinds)s") % {"kinds": ", ".join(CostKind.values)},
            field="kind",
        )
    amount_check(amount, field="amount", allow_zero=False)
    _day_check(on, field="on", not_before=matter.opened_on, what=_("the matter was opened"))
    cost = MatterCost.objects.create(
        matter=matter,
        kind=kind,
        amount=amount,
        incurred_on=on,
        recoverable=recoverable,
        note=note.strip()[:300],
        recorded_by=user,
    )
    audit_record(
        actor=user,
        action="legal.matter_cost",
        subject_type="legal_matter",
        subject_id=matter.pk,
        data={"kind": kind, "amount": amount, "on": on.isoformat(), "recoverable": recoverable},
    )
    return cost


@transaction.atomic
def matter_close(*, matter: Matter, outcome: str, on: date, user: Any = None) -> Matter:
    """Close a matter with its outcome (won and paid, recovered, settled…); its litigation
    holds are lifted where no other open matter needs them."""
    _require(user)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if matter.status != MatterStatus.OPEN:
        raise InvalidInput(_("matter #%(id)s is closed") % {"id": matter.pk}, field="matter")
    if outcome not in MatterOutcome.values or outcome == MatterOutcome.PENDING:
        choices = ", ".join(v for v in MatterOutcome.values if v != MatterOutcome.PENDING)
        raise InvalidInput(
            _("outcome must be one of %(outcomes)s") % {"outcomes": choices}, field="outcome"
        )
    _day_check(on, field="on", not_before=matter.opened_on, what=_("the matter was opened"))
    _close(matter, outcome=outcome, on=on, user=user)
    audit_record(
        actor=user,
        action="legal.matter_close",
        subject_type="legal_matter",
        subject_id=matter.pk,
        data={"outcome": outcome, "on": on.isoformat()},
    )
    return matter
