"""Fixed vocabularies of accounts: the roles people work in (GLOSSARY.md code names)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COLLECTOR = "collector", _("Collector (催收员)")
    FIELD_AGENT = "field_agent", _("Field agent (外访员)")
    TEAM_LEAD = "team_lead", _("Team lead (组长)")
    MANAGER = "manager", _("Manager (催收经理)")
    LEGAL_OFFICER = "legal_officer", _("Legal officer (法务)")
    COMPLIANCE_AUDITOR = "compliance_auditor", _("Compliance auditor (合规审计)")
    ADMIN = "admin", _("Administrator (管理员)")
    # A collector of an outside agency (委外催收机构): sees only the cases placed with it.
    AGENCY_COLLECTOR = "agency_collector", _("Agency collector (委外催收员)")


class AssignmentMethod(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin (轮流)")
    BALANCED_AMOUNT = "balanced_amount", _("Balanced amount (金额均衡)")
