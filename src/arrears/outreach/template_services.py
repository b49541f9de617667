"""Writes of message templates: publishing a checked text as the next version, and
switching a version on or off."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.template import TemplateSyntaxError

from arrears.compliance.linter import lint_template
from arrears.core.errors import InvalidInput
from arrears.outreach.models import MessageTemplate
from arrears.outreach.rendering import (
    SAMPLE_CREDITOR,
    check_tags,
    check_variables,
    render,
    sample_variables,
)
from arrears.outreach.template_choices import TemplateChannel, TemplateLanguage, TemplatePurpose

CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _clean_text(text: str) -> str:
    # A browser's textarea sends CRLF; without this an unchanged body would look changed.
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _syntax_problems(label: str, text: str) -> list[str]:
    try:
        unknown = check_variables(text)
        tags = check_tags(text)
    except TemplateSyntaxError as error:
        return [f"{label}: template syntax error: {error}"]
    return [f"{label}: unknown variable {{{{ {name} }}}}" for name in unknown] + [
        f"{label}: tag {{% {name} %}} is not allowed in message templates" for name in tags
    ]


def template_check(
    *,
    code: str,
    channel: str,
    language: str,
    purpose: str,
    body: str,
    subject: str = "",
    creditor_name: str = SAMPLE_CREDITOR,
) -> list[str]:
    """Every reason the template may not be published; empty when it may.

    Besides the fields' own rules, the text must use only the documented variables and,
    rendered with sample values and ``creditor_name``, pass the compliance linter (no
    threats, shaming or fake legal papers; the creditor named; an opt-out line on SMS and
    email). Rendering first is what lets ``{{ creditor_name }}`` and ``{{ opt_out_text }}``
    count, and catches a forbidden phrase however the text is put together.
    """
    body, subject = _clean_text(body), _clean_text(subject)
    problems: list[str] = []
    if not CODE_RE.match(code) or len(code) > 60:
        problems.append(f"code {code!r} must be lowercase letters, digits and hyphens")
    if channel not in TemplateChannel.values:
        problems.append(f"unknown channel {channel!r}")
    if language not in TemplateLanguage.values:
        problems.append(f"unknown language {language!r}")
    if purpose not in TemplatePurpose.values:
        problems.append(f"unknown purpose {purpose!r}")
    if not body:
        problems.append("the body is empty")
    if channel == TemplateChannel.EMAIL and not subject:
        problems.append("an email needs a subject")
    if channel == TemplateChannel.SMS and subject:
        problems.append("an SMS has no subject")
    syntax = _syntax_problems("body", body) + (
        _syntax_problems("subject", subject) if subject else []
    )
    problems.extend(syntax)
    if body and not syntax:
        draft = MessageTemplate(channel=channel, subject=subject, body=body)
        variables = sample_variables(language) | {"creditor_name": creditor_name}
        rendered_subject, rendered_body = render(draft, variables)
        text = f"{rendered_subject}\n{rendered_body}" if rendered_subject else rendered_body
        problems.extend(
            finding.message
            for finding in lint_template(text, channel=channel, creditor_name=creditor_name)
        )
    return problems


@transaction.atomic
def template_publish(
    *,
    code: str,
    channel: str,
    language: str,
    purpose: str,
    body: str,
    subject: str = "",
    provider_template_code: str = "",
    note: str = "",
    created_by: Any = None,
    creditor_name: str = SAMPLE_CREDITOR,
) -> MessageTemplate:
    """Publish a template text as the next version of ``code`` on ``channel`` in
    ``language`` (version 1 the first time), after ``template_check``; every problem is
    reported at once as ``InvalidInput``. A text equal to the current version's (subject,
    body, purpose and provider code) returns that version instead of a copy. Earlier
    versions stay as they are: outbox messages record the version they were made from, and
    the newest active version is the one used.
    """
    body, subject = _clean_text(body), _clean_text(subject)
    provider_template_code = provider_template_code.strip()
    problems = template_check(
        code=code,
        channel=channel,
        language=language,
        purpose=purpose,
        body=body,
        subject=subject,
        creditor_name=creditor_name,
    )
    if problems:
        raise InvalidInput("; ".join(problems), field="body")
    # Locking the existing versions serialises two publishes of the same template; the
    # unique version constraint catches the race on the very first one.
    versions = list(
        MessageTemplate.objects.select_for_update()
        .filter(code=code, channel=channel, language=language)
        .order_by("-version")
    )
    current = next((t for t in versions if t.active), None)
    if current is not None and (
        current.subject,
        current.body,
        current.purpose,
        current.provider_template_code,
    ) == (subject, body, purpose, provider_template_code):
        return current
    try:
        with transaction.atomic():
            return MessageTemplate.objects.create(
                code=code,
                channel=channel,
                language=language,
                purpose=purpose,
                version=versions[0].version + 1 if versions else 1,
                subject=subject,
                body=body,
                provider_template_code=provider_template_code,
                note=note.strip()[:300],
                created_by=created_by,
            )
    except IntegrityError as error:
        raise InvalidInput(
            "another version of this template was published at the same moment; try again"
        ) from error


@transaction.atomic
def template_set_active(*, template: MessageTemplate, active: bool) -> MessageTemplate:
    """Switch one version on or off: switching the newest off puts the previous active
    version back in use (a rollback without rewriting any text)."""
    locked = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    if locked.active != active:
        locked.active = active
        locked.save(update_fields=["active", "updated_at"])
    return locked
