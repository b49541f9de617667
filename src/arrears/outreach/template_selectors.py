"""Reads of message templates: the version in use, and the variables of a real case."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from arrears.cases.models import CollectionCase
from arrears.outreach.models import MessageTemplate
from arrears.outreach.rendering import variables_for
from arrears.outreach.template_choices import TemplateLanguage
from arrears.portfolio.choices import PartyRole
from arrears.portfolio.models import LoanParty, LoanPosition


def _language(language: str) -> str:
    # Accept what a browser or a party record may hold ("zh", "zh-Hans", "en-GB").
    lowered = language.strip().lower()
    if lowered.startswith("en"):
        return TemplateLanguage.EN
    return TemplateLanguage.ZH_HANS


def template_current(code: str, channel: str, language: str) -> MessageTemplate | None:
    """The newest active version of ``code`` on ``channel`` in ``language``; a language
    without one falls back to zh-hans, the default. ``None`` when neither exists."""
    wanted = _language(language)
    for lang in dict.fromkeys((wanted, TemplateLanguage.ZH_HANS)):
        found = (
            MessageTemplate.objects.filter(code=code, channel=channel, language=lang, active=True)
            .order_by("-version")
            .first()
        )
        if found is not None:
            return found
    return None


def template_versions(code: str, channel: str, language: str) -> list[MessageTemplate]:
    """Every version of a template, newest first."""
    return list(
        MessageTemplate.objects.filter(code=code, channel=channel, language=language)
        .select_related("created_by")
        .order_by("-version")
    )


def case_variables(
    *, case_id: int, language: str, today: date | None = None
) -> dict[str, str] | None:
    """The template variables of a real case, addressed to its borrower: the loan, the
    borrower, the loan's position from the last cycle and the creditor's name. ``None``
    when there is no such case or it has no borrower. Three queries whatever the case."""
    case = (
        CollectionCase.objects.select_related("loan", "loan__creditor").filter(pk=case_id).first()
    )
    if case is None:
        return None
    loan = case.loan
    role = (
        LoanParty.objects.filter(loan=loan, role=PartyRole.BORROWER)
        .select_related("party")
        .order_by("id")
        .first()
    )
    if role is None:
        return None
    position = LoanPosition.objects.filter(loan_id=loan.pk).first()
    return variables_for(
        loan=loan,
        party=role.party,
        position=position,
        creditor_name=loan.creditor.name,
        language=_language(language),
        today=today or timezone.localdate(),
    )
