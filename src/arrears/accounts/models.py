"""People who use Arrears and the API tokens their scripts use."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.accounts.choices import AssignmentMethod, Role
from arrears.core.models import BaseModel
from arrears.portfolio.models import Creditor


class Team(BaseModel):
    """A group of collectors working one creditor's cases in some buckets (e.g. the M1 team).

    New and escalated cases of ``creditor`` whose bucket is in ``buckets`` are shared among
    the team's active collectors by ``assignment_method``, never beyond each one's capacity.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="teams")
    buckets = models.CharField(
        _("buckets"),
        max_length=60,
        help_text=_("comma-separated buckets this team works, e.g. M1 or M2,M3"),
    )
    assignment_method = models.CharField(
        _("assignment method"),
        max_length=20,
        choices=AssignmentMethod.choices,
        default=AssignmentMethod.ROUND_ROBIN,
    )
    same_borrower_same_collector = models.BooleanField(
        _("same borrower, same collector"), default=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    def bucket_list(self) -> list[str]:
        return [b.strip() for b in self.buckets.split(",") if b.strip()]


class Agency(BaseModel):
    """An outside collection agency (委外催收机构): an organisation with its own users (role
    ``agency_collector``) who see only the cases placed with it. Contracts, placements and
    commission live in ``arrears.agencies``; this is the organisation people belong to."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("short name used on the command line")
    )
    licence_number = models.CharField(_("licence number"), max_length=100, blank=True, default="")
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True, default="")
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("collection agency")
        verbose_name_plural = _("collection agencies")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in, in one role: collector, field agent, team lead, manager, legal
    officer, compliance auditor or administrator.

    A collector or field agent works the cases assigned to them (and their team's unassigned
    pool); a team lead their team; a manager the portfolios of ``creditors``.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.COLLECTOR)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    # An agency collector's organisation; empty for the lender's own staff.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    capacity = models.PositiveIntegerField(
        _("case capacity"), default=400, help_text=_("most open cases assignment gives them")
    )
    # Not stored: the scopes of the API token the current request came with (set by the
    # API's bearer authentication); a session, or a user outside a request, has none.
    api_scopes: frozenset[str] = frozenset()

    creditors = models.ManyToManyField(
        Creditor,
        blank=True,
        related_name="managers",
        verbose_name=_("creditor portfolios"),
        help_text=_("the portfolios a manager oversees"),
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")


# Rights a token may add to what its user's role allows; a token without scopes keeps
# exactly the rights tokens always had (the role's, on the endpoints open to any token).
API_SCOPES: dict[str, str] = {
    "payments:write": "post payments to the ledger (POST /api/v1/payments)",
}


def validate_scopes(value: str) -> None:
    """Refuse scopes outside ``API_SCOPES`` (the admin's form, like ``arrears token``)."""
    unknown = sorted(set(value.split()) - set(API_SCOPES))
    if unknown:
        raise ValidationError(
            _("unknown scope %(scopes)s; the known scopes are: %(known)s"),
            params={"scopes": ", ".join(unknown), "known": ", ".join(sorted(API_SCOPES))},
        )


class ApiToken(BaseModel):
    """A bearer token for the REST API, stored only as its SHA-256 so a leaked table is useless.

    ``scopes`` (space-separated, from ``API_SCOPES``) add rights the role alone does not
    give to a script, such as posting payments; a person's browser session never has them.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    scopes = models.CharField(
        _("scopes"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("space-separated rights the token adds, e.g. payments:write"),
        validators=[validate_scopes],
    )

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    def scope_set(self) -> frozenset[str]:
        """The token's scopes as a set (empty for a token made before scopes existed)."""
        return frozenset(self.scopes.split())

    @staticmethod
    def hash_token(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
