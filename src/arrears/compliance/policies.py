"""Each creditor's compliance policy as the gate applies it: the pack (with the creditor's
stricter caps), the debtors' time zone, and the quiet days it keeps.

A creditor without a policy of its own gets ``DEFAULT_POLICY``: the pack and zone written
once in ``rules`` (``DEFAULT_PACK``, ``DEFAULT_TIME_ZONE``), public holidays not kept quiet.
``quiet_days`` is the one rule for which holidays are read around a contact; the gate, the
batch, the audit and the case page all read through it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, timedelta

from arrears.compliance.holidays import public_holidays
from arrears.compliance.models import CompliancePolicy
from arrears.compliance.rules import DEFAULT_PACK, DEFAULT_TIME_ZONE, PACKS, PolicyPack

# Quiet days are read from the day before the first local day of the contacts judged to 30
# days after the last. Thirty days after is enough for ``evaluate`` to step past the longest
# holiday (the 2026 Spring Festival break runs 9 days) to the next allowed moment. The day
# before covers a caller that names a day of the site's calendar (``quiet_days_for``), which
# runs a day ahead of debtors west of the site's zone.
QUIET_DAYS_BEFORE, QUIET_DAYS_AFTER = 1, 30


@dataclasses.dataclass(frozen=True)
class Policy:
    """A creditor's policy as the gate applies it."""

    pack: PolicyPack
    zone: str  # the debtors' time zone: their hours and calendar days
    quiet_holidays: bool = False  # no contact on the timed channels on public holidays


DEFAULT_POLICY = Policy(PACKS[DEFAULT_PACK], DEFAULT_TIME_ZONE)


def pack_of(policy: CompliancePolicy) -> PolicyPack:
    """The policy's pack with the creditor's stricter caps applied (never looser)."""
    pack = PACKS[policy.pack]
    changes = {}
    for name in ("conversations_per_day", "attempts_per_number_per_day"):
        stricter, floor = getattr(policy, name), getattr(pack, name)
        if stricter is not None and (floor is None or stricter < floor):
            changes[name] = stricter
    return dataclasses.replace(pack, **changes)


def policies_of(creditor_ids: Iterable[int]) -> dict[int, Policy]:
    """Each creditor's policy, ``DEFAULT_POLICY`` for a creditor without one. One query."""
    wanted = set(creditor_ids)
    found = {
        policy.creditor_id: Policy(pack_of(policy), policy.time_zone, policy.quiet_public_holidays)
        for policy in CompliancePolicy.objects.filter(creditor_id__in=sorted(wanted))
    }
    return {creditor: found.get(creditor, DEFAULT_POLICY) for creditor in wanted}


def holidays_around(first: date, last: date | None = None) -> frozenset[date]:
    """The public holidays a contact on the local days ``first`` to ``last`` (in the
    debtors' zone; ``last`` defaults to ``first``) is judged with: from ``QUIET_DAYS_BEFORE``
    days before ``first`` to ``QUIET_DAYS_AFTER`` days after ``last``."""
    return public_holidays(
        first - timedelta(days=QUIET_DAYS_BEFORE),
        (last or first) + timedelta(days=QUIET_DAYS_AFTER),
    )


def quiet_days(policy: Policy, first: date, last: date | None = None) -> frozenset[date]:
    """The quiet days of ``policy`` for contacts on the local days ``first`` to ``last``:
    ``holidays_around`` them when the policy keeps public holidays quiet, none otherwise."""
    return holidays_around(first, last) if policy.quiet_holidays else frozenset()
