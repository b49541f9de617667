"""Fixed vocabularies of message templates (GLOSSARY.md code names)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TemplateChannel(models.TextChoices):
    """How a template's text reaches the party."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")


class TemplateLanguage(models.TextChoices):
    """The language a template is written in; zh-hans is the default and the fallback."""

    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class TemplatePurpose(models.TextChoices):
    """What a message is for (GLOSSARY.md: overdue_notice, lawyer_letter …)."""

    REMINDER = "reminder", _("Reminder")
    OVERDUE_NOTICE = "overdue_notice", _("Overdue collection notice")
    GUARANTOR_NOTICE = "guarantor_notice", _("Notice to a guarantor")
    PROMISE_CONFIRMATION = "promise_confirmation", _("Promise-to-pay confirmation")
    PLAN_CONFIRMATION = "plan_confirmation", _("Repayment plan confirmation")
    RECEIPT = "receipt", _("Payment receipt")
    LAWYER_LETTER = "lawyer_letter", _("Lawyer's letter")
    GUARANTOR_DEMAND = "guarantor_demand", _("Guarantor liability demand (保证责任催告函)")
    ASSIGNMENT_NOTICE = "assignment_notice", _("Notice of assignment of the debt")
