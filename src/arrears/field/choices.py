"""Fixed vocabularies of field visits and skip tracing."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitOutcome(models.TextChoices):
    """What a visit found at the address."""

    MET_DEBTOR = "met_debtor", _("Met the debtor")
    MET_RELATIVE = "met_relative", _("Met a family member or colleague")
    NOBODY_HOME = "nobody_home", _("Nobody at home")
    MOVED_AWAY = "moved_away", _("Moved away")
    ADDRESS_WRONG = "address_wrong", _("Address does not exist")
    REFUSED = "refused", _("Refused to talk")


class ContactSource(models.TextChoices):
    """Where a newly found contact point or employer came from."""

    PHONE_BOOK = "phone_book", _("Phone contacts (通讯录)")
    PUBLIC = "public", _("Public information (公开信息)")
    THIRD_PARTY = "third_party", _("Third-party search (第三方查询)")
    DEBTOR = "debtor", _("Told by the debtor (本人告知)")
    VISIT = "visit", _("Found on a visit (外访)")
    OTHER = "other", _("Other")


class ContactEventKind(models.TextChoices):
    """What happened to a contact point."""

    ADDED = "added", _("Added")
    VERIFIED = "verified", _("Verified")
    INVALIDATED = "invalidated", _("Invalidated")
