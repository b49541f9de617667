"""Fixed vocabularies of compliance (GLOSSARY.md code names; ``rules`` uses the same codes)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Pack(models.TextChoices):
    CN = "cn", _("China (GB/T 45251-2025, CBA 2026 guideline)")
    US_REGF = "us-regf", _("United States (Regulation F)")


class Channel(models.TextChoices):
    CALL = "call", _("Call")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    LEGAL = "legal", _("Legal")


# The channels machines send through (the outbox); calls and visits are people's work.
MESSAGE_CHANNELS: tuple[str, ...] = (Channel.SMS.value, Channel.EMAIL.value, Channel.LETTER.value)


class Outcome(models.TextChoices):
    CONVERSATION = "conversation", _("Conversation with the party")
    NO_ANSWER = "no_answer", _("No answer")
    REFUSED = "refused", _("Refused to pass on messages")
    SENT = "sent", _("Message sent")


class HoldKind(models.TextChoices):
    DISPUTE = "dispute", _("Dispute (争议)")
    COMPLAINT = "complaint", _("Complaint under review (投诉)")
    REPRESENTED = "represented", _("Legal representation")
    BANKRUPTCY = "bankruptcy", _("Bankruptcy")
    DECEASED = "deceased", _("Deceased")
    HARDSHIP = "hardship", _("Hardship pause (困难停催)")
    LITIGATION = "litigation", _("Litigation filed (legal channel only)")
    OPT_OUT = "opt_out", _("Opted out of a channel")
