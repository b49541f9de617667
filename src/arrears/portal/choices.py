"""Fixed vocabularies of the borrower portal (GLOSSARY.md code names)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    """A step of signing in through a link."""

    ID = "id", _("Last four characters of the ID number")
    CODE = "code", _("Code sent by SMS")


class ActKind(models.TextChoices):
    """What a signed-in borrower did on the portal."""

    PROMISE = "promise", _("Promise to pay")
    PLAN = "plan", _("Repayment plan chosen")
    DISPUTE = "dispute", _("Dispute")
    HARDSHIP = "hardship", _("Hardship pause")
    OPT_OUT = "opt_out", _("No more contact on a channel")
