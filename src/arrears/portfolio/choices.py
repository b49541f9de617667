"""Fixed vocabularies of the portfolio (GLOSSARY.md code names)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CreditorKind(models.TextChoices):
    LENDER = "lender", _("Lender")
    AGENCY_CLIENT = "agency_client", _("Client of a collection agency")
    LAW_FIRM_CLIENT = "law_firm_client", _("Client of a law firm")


class LenderType(models.TextChoices):
    """What kind of lender the creditor is, which decides the interest ceiling a court
    supports (``legal.calculations.claim``)."""

    FINANCIAL_INSTITUTION = (
        "financial_institution",
        _("Licensed financial institution (bank, consumer finance)"),
    )
    LOCAL_FINANCIAL = (
        "local_financial",
        _("Local financial organisation (small-loan, guarantee, pawn, factoring)"),
    )
    PRIVATE = "private", _("Private lending (民间借贷)")


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    USCC = "uscc", _("Unified social credit code")
    PASSPORT = "passport", _("Passport")
    OTHER = "other", _("Other")
    NONE = "", _("None")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    ADDRESS = "address", _("Address")


class ContactStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Invalid")


class PartyRole(models.TextChoices):
    BORROWER = "borrower", _("Borrower")
    CO_BORROWER = "co_borrower", _("Co-borrower")
    GUARANTOR = "guarantor", _("Guarantor")
    COUNTER_GUARANTOR = "counter_guarantor", _("Counter-guarantor")
    CONTACT_PERSON = "contact_person", _("Emergency contact")


class GuaranteeKind(models.TextChoices):
    """How a guarantor is liable (民法典 arts. 686–688): a joint guarantor (连带责任保证) can be
    asked to pay as soon as the debt is overdue; a general guarantor (一般保证) only after the
    debtor was sued or arbitrated against and enforcement failed. Unspecified means joint for
    contracts before 2021 and general after (art. 686 para 2); tapes default to joint, as
    lenders' guarantee contracts almost always say so."""

    JOINT = "joint", _("Joint and several guarantee (连带责任保证)")
    GENERAL = "general", _("General guarantee (一般保证)")
    NONE = "", _("Not a guarantor")


class RepaymentMethod(models.TextChoices):
    ANNUITY = "annuity", _("Equal installments (annuity)")
    EQUAL_PRINCIPAL = "equal_principal", _("Equal principal")
    INTEREST_ONLY = "interest_only", _("Interest only, principal at maturity")
    BULLET = "bullet", _("Bullet")


class GuaranteeType(models.TextChoices):
    CREDIT = "credit", _("Unsecured (credit)")
    GUARANTEE = "guarantee", _("Guarantee")
    MORTGAGE = "mortgage", _("Mortgage")
    PLEDGE = "pledge", _("Pledge")


class DayCount(models.IntegerChoices):
    ACT_360 = 360, "ACT/360"
    ACT_365 = 365, "ACT/365"


class LoanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    COMPENSATED = "compensated", _("Compensated by the guarantor")
    # Written off the lender's books (核销): off the active book, still owed and collected
    # (账销案存); payments after it are recoveries.
    WRITTEN_OFF = "written_off", _("Written off")


class TapeKind(models.TextChoices):
    LOANS = "loans", _("Loans")
    PAYMENTS = "payments", _("Payments")
    PARTIES = "parties", _("Parties")


class LimitationEventKind(models.TextChoices):
    """What restarts the limitation period (诉讼时效中断, 民法典 art. 195)."""

    DEMAND = "demand", _("Demand for payment (权利人请求履行)")
    ACKNOWLEDGMENT = "acknowledgment", _("Acknowledgment of the debt (义务人同意履行)")
    LEGAL_ACTION = "legal_action", _("Suit, arbitration or payment order (起诉、仲裁、支付令)")


class Classification(models.TextChoices):
    NORMAL = "normal", _("正常 normal")
    SPECIAL_MENTION = "special_mention", _("关注 special mention")
    SUBSTANDARD = "substandard", _("次级 substandard")
    DOUBTFUL = "doubtful", _("可疑 doubtful")
    LOSS = "loss", _("损失 loss")
