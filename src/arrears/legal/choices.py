"""The legal app's vocabularies: matter kinds, events, costs, outcomes, documents."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MatterKind(models.TextChoices):
    """The roads to court, in the order a debt usually travels them."""

    LAWYER_LETTER = "lawyer_letter", _("Lawyer letter (律师函)")
    PAYMENT_ORDER = "payment_order", _("Payment order (支付令)")
    LAWSUIT = "lawsuit", _("Lawsuit (诉讼)")
    PRESERVATION = "preservation", _("Property preservation (财产保全)")
    ENFORCEMENT = "enforcement", _("Enforcement (强制执行)")


class MatterStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class MatterOutcome(models.TextChoices):
    """How a matter ended; ``pending`` while it is open."""

    PENDING = "pending", _("Pending")
    WON = "won", _("Won (judgment or order for the creditor)")
    PARTLY_WON = "partly_won", _("Partly won")
    LOST = "lost", _("Lost")
    OBJECTED = "objected", _("Objection raised: the payment order lapsed")
    SETTLED = "settled", _("Settled by mediation")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RECOVERED = "recovered", _("Recovered in full")
    TERMINATED = "terminated", _("Terminated (nothing more to enforce)")


class MatterEventKind(models.TextChoices):
    """What happens to a matter, as the court's papers date it."""

    FILED = "filed", _("Filed with the court")
    ACCEPTED = "accepted", _("Accepted (受理)")
    ISSUED = "issued", _("Payment order issued (发出支付令)")
    SERVED = "served", _("Served on the debtor (送达)")
    OBJECTION = "objection", _("Objection raised (异议)")
    HEARING = "hearing", _("Hearing (开庭)")
    JUDGMENT = "judgment", _("Judgment or ruling (判决/裁定)")
    MEDIATED = "mediated", _("Mediation agreement (调解)")
    EFFECTIVE = "effective", _("Took legal effect (生效)")
    PERFORMANCE_DEADLINE = "performance_deadline", _("Last day of performance (履行期限届满)")
    PRESERVATION_GRANTED = "preservation_granted", _("Preservation granted (保全裁定)")
    ENFORCEMENT_FILED = "enforcement_filed", _("Enforcement applied for (申请执行)")
    DISHONEST_LISTED = "dishonest_listed", _("Listed as a dishonest debtor (失信)")
    WITHDRAWN = "withdrawn", _("Withdrawn (撤诉/撤回)")
    TERMINATED = "terminated", _("Terminated (终结/终本)")
    RECOVERED = "recovered", _("Recovered (执行到位)")


class CostKind(models.TextChoices):
    """Money spent on the legal road; the recoverable ones join the claim."""

    COURT_FEE = "court_fee", _("Court fee (受理费)")
    PAYMENT_ORDER_FEE = "payment_order_fee", _("Payment order fee (支付令申请费)")
    PRESERVATION_FEE = "preservation_fee", _("Preservation fee (保全费)")
    ENFORCEMENT_FEE = "enforcement_fee", _("Enforcement fee (执行费)")
    LAWYER_FEE = "lawyer_fee", _("Lawyer fee (律师费)")
    GUARANTEE_FEE = "guarantee_fee", _("Preservation guarantee (保全担保费)")
    SERVICE_FEE = "service_fee", _("Service and announcement (送达/公告费)")
    OTHER = "other", _("Other")


class DocumentKind(models.TextChoices):
    """Court papers Arrears drafts; a lawyer checks and signs them."""

    PAYMENT_ORDER_APPLICATION = "payment_order_application", _("支付令申请书")
    COMPLAINT = "complaint", _("民事起诉状")
    EVIDENCE_LIST = "evidence_list", _("证据清单")
    PRESERVATION_APPLICATION = "preservation_application", _("财产保全申请书")
    ENFORCEMENT_APPLICATION = "enforcement_application", _("强制执行申请书")
    LAWYER_LETTER = "lawyer_letter", _("律师函")


class DocumentFormat(models.TextChoices):
    DOCX = "docx", "DOCX"
    PDF = "pdf", "PDF"
