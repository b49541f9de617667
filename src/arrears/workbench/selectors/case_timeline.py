"""The case page's timeline: one list, newest first, of what each app recorded about the
case (cases' contacts, promises, plans, waivers and assignments; outreach's messages;
compliance's holds; strategy's events).

Each source turns its own rows into entries; the rows the page also lists (promises, plans,
settlements, holds) are passed in, the others are read here, one query each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.cases.choices import AssignmentRule
from arrears.cases.models import (
    Activity,
    CaseAssignment,
    CollectionCase,
    Promise,
    RepaymentPlan,
    Settlement,
)
from arrears.compliance.choices import Channel
from arrears.compliance.models import Hold
from arrears.compliance.reasons import reason_messages
from arrears.core.frozen import FrozenQuery
from arrears.core.masking import mask_email, mask_phone
from arrears.core.money import format_yuan_grouped
from arrears.outreach.models import OutboxMessage
from arrears.outreach.template_choices import TemplatePurpose
from arrears.strategy.choices import ActionType
from arrears.strategy.labels import event_detail, event_reason, titles_of
from arrears.strategy.models import CaseStrategy, StrategyEvent
from arrears.workbench.selectors.case_presence import Presence


@dataclass(frozen=True)
class TimelineEntry:
    """One event on the case's timeline."""

    at: datetime
    kind: str  # activity, message, promise, plan, settlement, hold, strategy, assignment
    title: str
    detail: str = ""
    by: str = ""


# A message's channel and purpose by their labels (a purpose no template names: the
# planned action's type, else the code).
_CHANNELS = dict(Channel.choices)
_PURPOSES = {
    **dict(ActionType.choices),
    **dict(TemplatePurpose.choices),
    # The portal's sign-in code: sent on the borrower's request, not a collection message.
    "verification": gettext_lazy("Sign-in code"),
}


def _joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _mask_address(to: str) -> str:
    """A message's recipient masked as a phone or an email."""
    return mask_email(to) if "@" in to else mask_phone(to) if to else ""


# The case page's reads by the case's id, compiled once per process (``core.frozen``).
_ACTIVITIES = FrozenQuery(
    lambda case_id: (
        Activity.objects.filter(case_id=case_id).select_related("by").order_by("-at", "-id")
    )
)
_MESSAGES = FrozenQuery(
    lambda case_id: OutboxMessage.objects.filter(case_id=case_id).order_by("-due_at", "-id")
)
_STRATEGY_EVENTS = FrozenQuery(
    lambda case_id: StrategyEvent.objects.filter(case_id=case_id).order_by("-id")
)
_ASSIGNMENTS = FrozenQuery(
    lambda case_id: (
        CaseAssignment.objects.filter(case_id=case_id)
        .order_by("-at", "-id")
        .values_list("at", "rule", "reason", "assignee__username", "by__username")
    )
)


def activities_of(case: CollectionCase) -> list[Activity]:
    """The case's contacts, newest first, with who recorded them: one query, read once for
    the timeline and the page's calls."""
    return _ACTIVITIES.list(case_id=case.pk)


def _activities(activities: Iterable[Activity], names: Mapping[int, str]) -> list[TimelineEntry]:
    entries = []
    for activity in activities:
        title = f"{activity.get_channel_display()} · {activity.get_outcome_display()}"
        if activity.reason:
            title += f" · {activity.get_reason_display()}"
        follow_up = ""
        if activity.next_follow_up_at:
            at = timezone.localtime(activity.next_follow_up_at).strftime("%Y-%m-%d %H:%M")
            follow_up = _("next follow-up %(at)s") % {"at": at}
        entries.append(
            TimelineEntry(
                at=activity.at,
                kind="activity",
                title=title,
                detail=_joined(names.get(activity.party_id, ""), activity.notes, follow_up),
                by=activity.by.get_username(),
            )
        )
    return entries


def _messages(case: CollectionCase) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=message.sent_at or message.due_at,
            kind="message",
            title=" · ".join(
                str(part)
                for part in (
                    _CHANNELS.get(message.channel, message.channel),
                    _PURPOSES.get(message.purpose, message.purpose),
                    message.get_status_display(),
                )
                if part
            ),
            detail=_joined(
                _mask_address(message.to),
                message.body,  # the exact text sent, whole (the evidence)
                "; ".join(reason_messages(message.blocked_reasons)),
            ),
        )
        for message in _MESSAGES.list(case_id=case.pk)
    ]


def _promises(promises: Iterable[Promise], names: Mapping[int, str]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=promise.created_at,
            kind="promise",
            title=_("Promise: %(amount)s yuan by %(due)s (%(status)s)")
            % {
                "amount": format_yuan_grouped(promise.amount),
                "due": promise.due_on.isoformat(),
                "status": promise.get_status_display(),
            },
            detail=names.get(promise.party_id, ""),
            by=promise.by.get_username(),
        )
        for promise in promises
    ]


def _plans(plans: Iterable[RepaymentPlan]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=plan.created_at,
            kind="plan",
            title=_(
                "Repayment plan: %(total)s yuan, %(down)s down, %(n)s monthly"
                " installments (%(status)s)"
            )
            % {
                "total": format_yuan_grouped(plan.total),
                "down": format_yuan_grouped(plan.down_payment),
                "n": plan.installments,
                "status": plan.get_status_display(),
            },
            detail=plan.reason,
            by=plan.requested_by.get_username(),
        )
        for plan in plans
    ]


def _settlements(settlements: Iterable[Settlement]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=settlement.created_at,
            kind="settlement",
            title=_("Waiver: %(total)s yuan (%(status)s)")
            % {
                "total": format_yuan_grouped(settlement.total_waived),
                "status": settlement.get_status_display(),
            },
            detail=settlement.reason,
            by=settlement.requested_by.get_username(),
        )
        for settlement in settlements
    ]


def _holds(holds: Iterable[Hold]) -> list[TimelineEntry]:
    entries = []
    for hold in holds:
        entries.append(
            TimelineEntry(
                at=hold.created_at,
                kind="hold",
                title=_("Hold placed: %(kind)s") % {"kind": hold.get_kind_display()},
                detail=hold.reason,
                by=hold.placed_by.get_username() if hold.placed_by else "",
            )
        )
        if hold.lifted_at is not None:
            entries.append(
                TimelineEntry(
                    at=hold.lifted_at,
                    kind="hold",
                    title=_("Hold lifted: %(kind)s") % {"kind": hold.get_kind_display()},
                )
            )
    return entries


def _strategy(case: CollectionCase) -> list[TimelineEntry]:
    events = _STRATEGY_EVENTS.list(case_id=case.pk)
    if not events:
        return []
    # The details name playbooks and stages by code: shown by the titles of the playbook
    # and version the case follows (loaded with the case by the case page), else by code.
    try:
        strategy: CaseStrategy | None = case.strategy
    except CaseStrategy.DoesNotExist:
        strategy = None
    titles = titles_of(strategy.version.definition) if strategy else {}
    playbooks = {strategy.playbook.name: strategy.playbook.title} if strategy else {}
    entries = []
    for event in events:
        detail = event_detail(event.kind, event.detail, playbooks=playbooks, titles=titles)
        entries.append(
            TimelineEntry(
                at=event.created_at,
                kind="strategy",
                title=f"{event.get_kind_display()}: {detail}".rstrip(": "),
                detail=event_reason(event.reason),
                by=event.by,
            )
        )
    return entries


def _assignments(case: CollectionCase) -> list[TimelineEntry]:
    # The columns an entry shows, not whole users and teams: selecting those took the
    # ORM longer to compile than the database took to answer (issue 21, the case page).
    rules = dict(AssignmentRule.choices)
    return [
        TimelineEntry(
            at=at,
            kind="assignment",
            title=_("Assigned to %(to)s (%(rule)s)")
            % {"to": to or _("team pool"), "rule": rules.get(rule, rule)},
            detail=reason,
            by=by or "",
        )
        for at, rule, reason, to, by in _ASSIGNMENTS.list(case_id=case.pk)
    ]


def timeline_of(
    *,
    case: CollectionCase,
    names: Mapping[int, str],
    activities: Iterable[Activity],
    promises: Iterable[Promise],
    plans: Iterable[RepaymentPlan],
    settlements: Iterable[Settlement],
    holds: Iterable[Hold],
    presence: Presence | None = None,
) -> list[TimelineEntry]:
    """Every entry of ``case``'s timeline, newest first (``names``: party names by id;
    ``activities``: ``activities_of(case)``). Three queries: messages, strategy events,
    assignments (the case comes with its strategy, playbook and version: ``case_page``),
    less those of the parts ``presence`` knows to be empty."""
    present = presence or Presence.everything()
    timeline = [
        *_activities(activities, names),
        *(_messages(case) if "messages" in present else ()),
        *_promises(promises, names),
        *_plans(plans),
        *_settlements(settlements),
        *_holds(holds),
        *(_strategy(case) if "strategy_events" in present else ()),
        *(_assignments(case) if "assignments" in present else ()),
    ]
    timeline.sort(key=lambda entry: entry.at, reverse=True)
    return timeline
