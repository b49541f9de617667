"""Fixed vocabularies of collection cases (GLOSSARY.md code names)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CloseReason(models.TextChoices):
    CURED = "cured", _("Cured (DPD back to 0)")
    PAID_OFF = "paid_off", _("Paid off (结清)")
    SETTLED = "settled", _("Settled (和解结案)")
    WRITTEN_OFF = "written_off", _("Written off (核销)")
    SOLD = "sold", _("Sold or assigned (债权转让)")
    DECEASED = "deceased", _("Deceased (死亡)")
    COMPENSATED = "compensated", _("Compensated by the guarantor (代偿)")
    LEGAL_TERMINATED = "legal_terminated", _("Legal proceedings ended (终结执行)")


class WorkItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class AssignmentRule(models.TextChoices):
    CAPACITY = "capacity", _("By capacity")
    ROUND_ROBIN = "round_robin", _("Round robin")
    BALANCED_AMOUNT = "balanced_amount", _("Balanced amount")
    SAME_BORROWER = "same_borrower", _("Same borrower, same collector")
    STAGE_CHANGE = "stage_change", _("Stage change (re-assigned)")
    MANUAL = "manual", _("Manual reassignment")
    RELEASED = "released", _("Returned to the team pool")
    AGENCY = "agency", _("Placed with an outside agency (委外)")


class PartyReached(models.TextChoices):
    BORROWER = "borrower", _("Borrower")
    CO_PARTY = "co_party", _("Co-borrower or guarantor")
    THIRD_PARTY = "third_party", _("Third party (family, colleague …)")
    NOBODY = "nobody", _("Nobody")


class ContactOutcome(models.TextChoices):
    RIGHT_PARTY = "right_party", _("Right party contacted")
    THIRD_PARTY = "third_party", _("Third party reached")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    NUMBER_INVALID = "number_invalid", _("Number invalid (空号/停机)")
    REFUSED = "refused", _("Refused to pay")
    PROMISE = "promise", _("Promise to pay")
    DISPUTE = "dispute", _("Dispute")
    HARDSHIP = "hardship", _("Hardship")
    CLAIMS_PAID = "claims_paid", _("Claims already paid")
    DECEASED = "deceased", _("Deceased")


class DelinquencyReason(models.TextChoices):
    CASH_FLOW = "cash_flow", _("Cash-flow shortage (资金周转)")
    MARKET = "market", _("Market downturn (市场变化)")
    FAMILY = "family", _("Family circumstances (家庭变故)")
    FORGOT = "forgot", _("Forgot (遗忘)")
    UNEMPLOYMENT_OR_ILLNESS = "unemployment_or_illness", _("Unemployment or illness (失业/疾病)")
    POOR_MANAGEMENT = "poor_management", _("Poor management (经营不善)")
    WILFUL = "wilful", _("Wilful default (恶意拖欠)")
    FRAUD = "fraud", _("Fraud (欺诈)")


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


class PlanStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    COMPLETED = "completed", _("Completed")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


class SettlementStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved and posted")
    REJECTED = "rejected", _("Rejected")
