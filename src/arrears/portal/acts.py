"""What a signed-in borrower may do on the portal, each through the service of the app that
owns it, in one transaction with a ``PortalAct`` and an audit row ``portal.<kind>``:

- a promise to pay (``cases.promise_services.promise_create``), within the portal's promise
  policy (``selectors.promise_terms``);
- a repayment plan chosen from the portal's offers (``cases.plan_services.plan_request``):
  active at once within the collector's authority, else waiting in the approvals;
- a dispute (``cases.services.case_hold_place``: the dispute hold on the loan) and a
  hardship pause (the hardship hold on the party), each with a review task for the case's
  team (``cases.batch.work_items_add``);
- an opt-out of a channel the pack lets a borrower close (``compliance.services.hold_place``).

The acts are recorded as done by the portal's service account (``portal_actor``): inactive,
without a password or a team, so nobody signs in as it and no case is assigned to it; its
role is the authority a borrower's own plan is judged by (``selectors.PORTAL_ROLE``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import User
from arrears.cases.batch import work_items_add
from arrears.cases.choices import PlanStatus
from arrears.cases.models import CollectionCase, Promise, RepaymentPlan
from arrears.cases.plan_services import plan_request
from arrears.cases.promise_services import promise_create
from arrears.cases.services import case_hold_place
from arrears.compliance.choices import HoldKind
from arrears.compliance.models import Hold
from arrears.compliance.services import hold_place
from arrears.core.audit import audit_record
from arrears.core.errors import InvalidInput
from arrears.portal.choices import ActKind
from arrears.portal.models import PortalAct, PortalLink
from arrears.portal.selectors import (
    PORTAL_ROLE,
    PlanOption,
    opt_out_channels,
    plan_options,
    promise_terms,
)
from arrears.portfolio.selectors import loan_state

ACTOR = "portal"
# The planned-action ids of the portal's review tasks: minus this plus the act's id, a range
# no planned action (positive) and no other hand-over is expected to use.
TASK_BASE = 10**15
TASK_PRIORITY = 90
# Records are Chinese whatever language the borrower reads (like generated documents).
CHANNEL_WORDS = {"sms": "短信", "email": "电子邮件", "call": "电话"}


def portal_actor() -> User:
    """The portal's service account (made on first use): the ``by`` of its acts."""
    user = User.objects.filter(username=ACTOR).first()
    if user is None:
        user = User(username=ACTOR, role=PORTAL_ROLE, is_active=False, first_name="自助服务")
        user.set_unusable_password()
        user.save()
    elif user.is_active or user.has_usable_password():
        raise ImproperlyConfigured(
            f"the user {ACTOR!r} is a person's account; rename it: the borrower portal"
            " records its acts under that name"
        )
    return user


def _act(
    link: PortalLink, case: CollectionCase | None, kind: str, record_id: int, **detail: object
) -> PortalAct:
    act = PortalAct.objects.create(
        link=link,
        case_id=case.pk if case else None,
        kind=kind,
        record_id=record_id,
        detail=detail,
    )
    audit_record(
        actor=portal_actor(),
        action=f"portal.{kind}",
        subject_type="case" if case else "loan",
        subject_id=case.pk if case else link.loan_id,
        data={"party": link.party_id, "link": link.pk, "record": record_id, **detail},
    )
    return act


def _review_task(case: CollectionCase, link: PortalLink, act: PortalAct, title: str) -> None:
    """A task for the case's team (its assignee's queue shows it): the hand-over the cases
    app takes from other apps, set-based, here for one row."""
    work_items_add(
        source="SELECT %(case)s AS case_id, %(loan)s AS loan_id, %(party)s AS party_id,"
        " %(action)s AS planned_action_id, %(type)s AS type, %(queue)s AS queue,"
        " %(title)s AS title, %(due)s AS due_at, %(priority)s AS priority",
        params={
            "case": case.pk,
            "loan": case.loan_id,
            "party": link.party_id,
            "action": -(TASK_BASE + act.pk),
            "type": "review",
            "queue": "",
            "title": title[:400],
            "due": timezone.now(),
            "priority": TASK_PRIORITY,
        },
    )


def _open(case: CollectionCase | None) -> CollectionCase:
    if case is None or case.status != "open":
        raise InvalidInput(_("There is nothing overdue to arrange on this loan."), field="case")
    return case


@transaction.atomic
def promise_make(
    *, link: PortalLink, case: CollectionCase | None, amount: int, due_on: date, on: date
) -> Promise:
    """The party's promise to pay ``amount`` fen by ``due_on``, within the portal's policy."""
    case = _open(case)
    overdue = case_overdue(case, on)
    terms = promise_terms(overdue_total=overdue, on=on)
    if amount < terms.minimum:
        raise InvalidInput(
            _("Promise at least %(yuan)s yuan.") % {"yuan": terms.minimum_yuan}, field="amount"
        )
    if not terms.first <= due_on <= terms.last:
        raise InvalidInput(
            _("Choose a date from %(first)s to %(last)s.")
            % {"first": terms.first.isoformat(), "last": terms.last.isoformat()},
            field="due_on",
        )
    promise = promise_create(
        case=case, party=link.party, amount=amount, due_on=due_on, by=portal_actor(), on=on
    )
    _act(link, case, ActKind.PROMISE, promise.pk, amount=amount, due_on=due_on.isoformat())
    return promise


def case_overdue(case: CollectionCase, on: date) -> int:
    """What the case's loan has overdue on ``on``, in fen."""
    return loan_state(case.loan, as_of=on).overdue.total


@transaction.atomic
def plan_choose(
    *, link: PortalLink, case: CollectionCase | None, key: str, on: date
) -> RepaymentPlan:
    """The offer ``key`` of today's plan options, as a plan: active at once within the
    portal's authority, otherwise pending for a team lead or manager to decide."""
    case = _open(case)
    if RepaymentPlan.objects.filter(
        case=case, status__in=[PlanStatus.PENDING, PlanStatus.ACTIVE]
    ).exists():
        raise InvalidInput(_("A repayment plan is already in place for this loan."), field="option")
    chosen: PlanOption | None = next(
        (o for o in plan_options(overdue_total=case_overdue(case, on), on=on) if o.key == key),
        None,
    )
    if chosen is None:
        raise InvalidInput(_("Choose one of the plans offered."), field="option")
    plan = plan_request(
        case=case,
        by=portal_actor(),
        total=chosen.total,
        down_payment=chosen.down_payment,
        installments=chosen.installments,
        start_on=chosen.start_on,
        on=on,
        reason=f"借款人通过自助服务选择的分期方案（首付{chosen.down_percent}%，"
        f"分{chosen.installments}期）",
    )
    _act(link, case, ActKind.PLAN, plan.pk, option=key, status=plan.status)
    return plan


def _hold_with_task(
    *, link: PortalLink, case: CollectionCase | None, kind: str, reason: str, title: str
) -> Hold:
    case = _open(case)
    text = reason.strip()
    if not text:
        raise InvalidInput(_("Tell us in a few words why."), field="reason")
    text = text[:1000]
    on_loan = kind == HoldKind.DISPUTE  # a dispute of the debt stops its collection for all
    hold = case_hold_place(
        case=case,
        kind=kind,
        reason=f"借款人通过自助服务提出：{text}",
        by=portal_actor(),
        party=None if on_loan else link.party,
    )
    act = _act(link, case, kind, hold.pk)
    _review_task(case, link, act, f"{title}：{text}")
    return hold


@transaction.atomic
def dispute_raise(*, link: PortalLink, case: CollectionCase | None, reason: str) -> Hold:
    """The party disputes the debt: the dispute hold on the loan stops every contact until
    the team has looked into it (a review task for them)."""
    return _hold_with_task(
        link=link,
        case=case,
        kind=HoldKind.DISPUTE,
        reason=reason,
        title="自助服务：借款人提出异议，请核实",
    )


@transaction.atomic
def hardship_pause(*, link: PortalLink, case: CollectionCase | None, reason: str) -> Hold:
    """The party asks for a pause in hardship (illness, job loss, disaster): the hardship
    hold on the party, and a review task to work out an arrangement."""
    return _hold_with_task(
        link=link,
        case=case,
        kind=HoldKind.HARDSHIP,
        reason=reason,
        title="自助服务：借款人申请困难停催，请联系协商",
    )


@transaction.atomic
def opt_out(*, link: PortalLink, case: CollectionCase | None, channel: str) -> Hold:
    """No more contact with the party on ``channel``, where the creditor's pack lets a
    borrower close it (``selectors.OPT_OUT_CHANNELS``). Asking twice places one hold."""
    if channel not in opt_out_channels(link):
        raise InvalidInput(_("This channel cannot be closed here."), field="channel")
    held = Hold.objects.filter(
        party_id=link.party_id, kind=HoldKind.OPT_OUT, channel=channel, lifted_at__isnull=True
    ).first()
    if held is not None:
        return held
    hold = hold_place(
        kind=HoldKind.OPT_OUT,
        channel=channel,
        reason=f"借款人通过自助服务要求不再以{CHANNEL_WORDS.get(channel, channel)}联系",
        party=link.party,
        placed_by=portal_actor(),
    )
    _act(link, case, ActKind.OPT_OUT, hold.pk, channel=channel)
    return hold
