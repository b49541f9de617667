"""When a recorded contact may say it happened: never in the future, late only within a
window and only for the roles allowed to record late.

A client chose ``at`` freely: after three conversations of three today, a call posted with
yesterday's time was accepted and closed today's work; times in 2000, 2027 and 9999 were
accepted or ended in a server error. The rules, checked before the gate judges anything:

- The moment must carry its zone and lie within 1900–2100 (``core.bounds``).
- Not in the future: at most ``CLOCK_SKEW`` after the server's clock (a phone or laptop
  whose clock runs a little fast), never more.
- Late: more than ``LATE_AFTER`` before the moment it is recorded is a late entry (补录).
  Only a role with the ``contact_record_late`` capability may make one, and only within
  ``ARREARS_LATE_CONTACT_HOURS`` (default 24): evidence entered days later is not
  evidence of the day.

The moment a contact is recorded is the server's clock on today's business date. For a past
business date (the demo replaying its week) it is the end of that day at the latest, so a
contact is measured against the day it is recorded on, never against the real clock months
later.

The gate then judges a late contact against the whole of its own day
(``compliance.services.contact_check``), and recording it completes only work due by the end
of its own day (``work_due_by``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.roles import role_can
from arrears.core.bounds import date_check
from arrears.core.errors import InvalidInput

# How far a client's clock may run ahead of the server's: a contact "in the future" by less
# is taken as made now-ish, by more is refused.
CLOCK_SKEW = timedelta(minutes=5)
# The wrap-up of a call (notes typed after hanging up) is not a late entry; beyond this it
# is one, and needs the ``contact_record_late`` capability.
LATE_AFTER = timedelta(minutes=30)
# The default of the setting ``ARREARS_LATE_CONTACT_HOURS``: how long after a contact it may
# still be recorded at all.
DEFAULT_LATE_CONTACT_HOURS = 24


def late_window() -> timedelta:
    """How long after a contact it may still be recorded (the setting, or 24 hours)."""
    hours = getattr(settings, "ARREARS_LATE_CONTACT_HOURS", DEFAULT_LATE_CONTACT_HOURS)
    return timedelta(hours=int(hours))


def _day_end(day: date) -> datetime:
    """The first moment after ``day`` in the site's zone."""
    return datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )


def recording_moment(on: date) -> datetime:
    """The moment a contact recorded on business date ``on`` is recorded: the server's clock,
    or the end of ``on`` when that comes first (a past business date being replayed)."""
    return min(timezone.now(), _day_end(on))


def contact_time_check(*, at: datetime, on: date, role: str) -> None:
    """Refuse (``InvalidInput`` naming "at") a contact time outside the rules above for a
    person in ``role`` recording on business date ``on``."""
    if timezone.is_naive(at):
        raise InvalidInput(
            _("the time must carry its zone (e.g. 2026-07-01T10:00+08:00)"), field="at"
        )
    date_check(at, field="at")
    if at > timezone.now() + CLOCK_SKEW:
        raise InvalidInput(_("the time of the contact is in the future"), field="at")
    late = recording_moment(on) - at
    if late <= LATE_AFTER:
        return
    window = late_window()
    if late > window:
        raise InvalidInput(
            _("a contact may be recorded at most %(hours)d hours after it happened")
            % {"hours": window // timedelta(hours=1)},
            field="at",
        )
    if not role_can(role, "contact_record_late"):
        raise InvalidInput(
            _(
                "your role may record a contact only up to %(minutes)d minutes after it"
                " happened; ask your team lead to record it"
            )
            % {"minutes": LATE_AFTER // timedelta(minutes=1)},
            field="at",
        )


def work_due_by(*, at: datetime, on: date) -> datetime:
    """The end of the work a contact at ``at`` recorded on ``on`` completes: work due by the
    end of the contact's own day, never a later day's (nor a day after ``on``)."""
    day = timezone.localtime(at).date()
    return _day_end(min(day, on))
