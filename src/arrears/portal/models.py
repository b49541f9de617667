"""What the borrower portal keeps: the links opened, the sign-in codes (hashed), every
sign-in attempt, and what each signed-in borrower did."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.core.models import BaseModel
from arrears.portal.choices import ActKind, Step
from arrears.portfolio.models import Loan, Party


class PortalLink(BaseModel):
    """A one-time link to a party's portal of one loan, from the moment it is first opened.

    The link itself is a signed token made without a row (``outreach.self_service``); its
    nonce is kept here so the link signs in only once (``used_at``) and so failed sign-in
    steps are counted against it: five wrong ID endings or five wrong codes lock it
    (``locked_at``), for good. ``codes_sent`` bounds the SMS one link can cause.
    """

    nonce = models.CharField(_("nonce"), max_length=40, unique=True)
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(_("expires at"))
    id_passed_at = models.DateTimeField(_("ID step passed at"), null=True, blank=True)
    id_failures = models.PositiveSmallIntegerField(_("wrong ID endings"), default=0)
    code_failures = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    codes_sent = models.PositiveSmallIntegerField(_("codes sent"), default=0)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    used_at = models.DateTimeField(_("signed in at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("portal link")
        verbose_name_plural = _("portal links")

    def __str__(self) -> str:
        return f"{self.loan_id}/{self.party_id} {self.created_at:%Y-%m-%d %H:%M}"


class VerificationCode(models.Model):
    """A six-digit code sent by SMS for the second sign-in step, valid five minutes.

    Only its keyed hash is stored (HMAC with the site's secret key, salted per link), so the
    table does not let anyone sign in; ``outbox_message_id`` is the SMS that carried it.
    """

    link = models.ForeignKey(PortalLink, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(_("code hash"), max_length=64)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    outbox_message_id = models.BigIntegerField(_("outbox message"), null=True, blank=True)
    send_status = models.CharField(_("sending"), max_length=10, blank=True, default="")
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")

    def __str__(self) -> str:
        return f"{self.link_id} {self.created_at:%Y-%m-%d %H:%M}"


class SignInAttempt(models.Model):
    """One try at a sign-in step through a link: which step, whether it passed, and a keyed
    hash of the client's address (to slow down one address trying many links; the address
    itself is personal data and is not kept). Appended, never changed."""

    link = models.ForeignKey(PortalLink, on_delete=models.CASCADE, related_name="attempts")
    step = models.CharField(_("step"), max_length=4, choices=Step.choices)
    ok = models.BooleanField(_("passed"))
    address = models.CharField(_("address (keyed hash)"), max_length=64)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")
        indexes = [models.Index(fields=["address", "at"], name="portal_attempt_address")]

    def __str__(self) -> str:
        return f"{self.link_id} {self.step} {'ok' if self.ok else 'wrong'}"


class PortalAct(models.Model):
    """Something a signed-in borrower did on the portal: a promise, a plan chosen, a
    dispute, a hardship pause or a channel opt-out, with the record it made in the app that
    owns it (``record_id``: the promise, the plan or the hold). The case timeline shows
    those records; this is the portal's own trail of who did it through which link."""

    link = models.ForeignKey(PortalLink, on_delete=models.PROTECT, related_name="acts")
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ActKind.choices)
    record_id = models.BigIntegerField(_("record"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("portal act")
        verbose_name_plural = _("portal acts")

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id}"
