"""Message templates: the texts of SMS, emails and letters, kept as numbered versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.core.models import BaseModel
from arrears.outreach.template_choices import TemplateChannel, TemplateLanguage, TemplatePurpose


class MessageTemplate(BaseModel):
    """One version of the text a message is made from: a code (``reminder``,
    ``overdue-notice``, ``lawyer-letter`` … as playbooks name them), a channel and a language.

    Versioned like playbooks: a change is published through ``template_publish`` as the next
    version and earlier versions stay, because an outbox message records the version whose
    text it sent. The newest active version of a code, channel and language is the one used.
    ``body`` is Django template syntax over the fixed variables of ``outreach.rendering``; a
    letter's body renders HTML, SMS and email bodies plain text.
    """

    code = models.SlugField(_("code"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=TemplateChannel.choices)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=TemplateLanguage.choices,
        default=TemplateLanguage.ZH_HANS,
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=TemplatePurpose.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    subject = models.CharField(
        _("subject"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("Emails only; may use the same variables as the body."),
    )
    body = models.TextField(_("body"))
    provider_template_code = models.CharField(
        _("SMS provider's template code"),
        max_length=60,
        blank=True,
        default="",
        help_text=_("The code under which the SMS provider registered this text, if it needs one."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["code", "channel", "language", "-version"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "channel", "language", "version"],
                name="message_template_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.channel} · {self.language} v{self.version}"
