"""Fixed vocabularies of collection strategy (GLOSSARY.md code names)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionType(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    CALL = "call", _("Call")
    VISIT = "visit", _("Field visit")
    LETTER = "letter", _("Letter")
    OVERDUE_NOTICE = "overdue_notice", _("Overdue notice (逾期催收通知书)")
    GUARANTOR_NOTICE = "guarantor_notice", _("Guarantor notice")
    LAWYER_LETTER = "lawyer_letter", _("Lawyer letter (律师函)")
    PLACEMENT = "placement", _("Agency placement (委外)")
    LEGAL_REFERRAL = "legal_referral", _("Legal referral")
    REVIEW = "review", _("Review")


class TargetRole(models.TextChoices):
    BORROWER = "borrower", _("Borrower")
    CO_BORROWER = "co_borrower", _("Co-borrower")
    GUARANTOR = "guarantor", _("Guarantor")
    COUNTER_GUARANTOR = "counter_guarantor", _("Counter-guarantor")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    QUEUED = "queued", _("Queued")
    BLOCKED = "blocked", _("Blocked by the compliance gate")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Arm(models.TextChoices):
    NONE = "", _("Not in an experiment")
    CHAMPION = "champion", _("Champion")
    CHALLENGER = "challenger", _("Challenger")


class EventKind(models.TextChoices):
    ASSIGNED = "assigned", _("Playbook assigned")
    STAGE = "stage", _("Stage entered")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    MOVED = "moved", _("Moved by a manager")
    ONE_OFF = "one_off", _("One-off action added")
