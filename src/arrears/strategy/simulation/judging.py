"""The compliance gate asked about simulated contacts, recording nothing.

The same split as the plan step's gate (``strategy.gate``): a party with a hold in force,
or a call to a party contacted in the last ``HISTORY_DAYS``, is judged with its own
situation (``compliance.batch``'s reader ``party_situations`` and the pure rules); every
other contact in a group sharing creditor, channel, role, purpose and due time
(``contact_check_alike``), since the same situation gets the same answer. Unlike the plan
step's gate nothing is stored: no refusal rows, no status changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max, Q

from arrears.compliance.batch import contact_check_alike, time_zone_of
from arrears.compliance.models import ContactAttempt, Hold
from arrears.compliance.rules import CALL, Decision, Proposed, evaluate
from arrears.compliance.selectors import HISTORY_DAYS, PartySituation, Subject, party_situations
from arrears.strategy.simulation.replay import DueAction

# Contacts alike in everything the gate reads share one answer.
ContactKey = tuple[int, int, int, str, str, str, str]


def contact_key(action: DueAction) -> ContactKey:
    """What makes two due actions the same contact for the gate."""
    return (
        action.creditor_id,
        action.loan_id,
        action.party_id,
        action.role,
        action.channel,
        action.type,
        action.clock,
    )


def _staff(kind: str) -> int:
    # A visit is planned for the two staff the rules require, as the plan step plans it.
    return 2 if kind == "visit" else 1


def _since(on: date) -> datetime:
    """Where the plan step's gate starts looking for a party's recent contacts."""
    return datetime.combine(on, time(0), tzinfo=ZoneInfo("UTC")) - timedelta(days=HISTORY_DAYS)


class Judge:
    """Asks the gate about each day's contacts of a period, read-only.

    Holds are read as they stand now (the gate's reader judges an unrecorded contact with
    the holds in force now); the contact journal as recorded, so the simulated contacts
    themselves never count towards the caps."""

    def __init__(self, first: date, last: date) -> None:
        held = Hold.objects.filter(lifted_at__isnull=True)
        self.held_parties = set(
            held.filter(party_id__isnull=False).values_list("party_id", flat=True)
        )
        self.held_loans = set(held.filter(loan_id__isnull=False).values_list("loan_id", flat=True))
        # Each party's latest contact from the first day's look-back on: recent on a day
        # when it falls in that day's look-back (the plan step's rule).
        self.latest_contact = dict(
            ContactAttempt.objects.filter(Q(at__gte=_since(first)))
            .values("party_id")
            .annotate(latest=Max("at"))
            .values_list("party_id", "latest")
        )
        self.zones: dict[int, str] = {}
        self._alike: dict[tuple[int, str, str, str, datetime], Decision] = {}
        self._memo: dict[tuple[Proposed, PartySituation], Decision] = {}

    def _at(self, action: DueAction, on: date) -> datetime:
        hours, minutes = (int(part) for part in action.clock.split(":"))
        zone = ZoneInfo(self.zones[action.creditor_id])
        return datetime.combine(on, time(hours, minutes), tzinfo=zone)

    def _special(self, action: DueAction, since: datetime) -> bool:
        if action.party_id in self.held_parties or action.loan_id in self.held_loans:
            return True
        latest = self.latest_contact.get(action.party_id)
        return action.channel == CALL and latest is not None and latest >= since

    def day(self, on: date, contacts: Sequence[DueAction]) -> dict[ContactKey, Decision]:
        """The gate's answer for each distinct contact of ``on`` (actions with a channel)."""
        unique = {contact_key(action): action for action in contacts if action.channel}
        missing = {a.creditor_id for a in unique.values()} - self.zones.keys()
        if missing:
            self.zones.update(time_zone_of(missing))
        since = _since(on)
        answers: dict[ContactKey, Decision] = {}
        one_by_one = []
        for key, action in unique.items():
            at = self._at(action, on)
            if self._special(action, since):
                one_by_one.append((key, action, at))
                continue
            group = (action.creditor_id, action.channel, action.role, action.type, at)
            decision = self._alike.get(group)
            if decision is None:
                decision = self._alike[group] = contact_check_alike(
                    creditor_id=action.creditor_id,
                    channel=action.channel,
                    role=action.role,
                    purpose=action.type,
                    at=at,
                    staff=_staff(action.type),
                )
            answers[key] = decision
        situations = party_situations(
            [
                Subject(
                    creditor_id=action.creditor_id,
                    loan_id=action.loan_id,
                    party_id=action.party_id,
                    at=at,
                    role=action.role,
                    channel=action.channel,
                )
                for _, action, at in one_by_one
            ]
        )
        for (key, action, at), found in zip(one_by_one, situations, strict=True):
            proposed = Proposed(
                at=at,
                channel=action.channel,
                role=action.role,
                purpose=action.type,
                staff=_staff(action.type),
            )
            decision = self._memo.get((proposed, found))
            if decision is None:
                decision = self._memo[(proposed, found)] = evaluate(
                    found.policy.pack, proposed, found.situation
                )
            answers[key] = decision
        return answers
