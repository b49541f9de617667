"""Parsers for single tape cells. Each returns a clean value or raises ``ValueError`` whose
argument, a ``Reason``, says in plain words what is wrong with the value (in English as
text; in the user's language in the rejects file). ``_`` here only marks a template for the
catalog: the words are translated when the rejects file is written."""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric, uscc

import arrears.core.phones as phones
from arrears.core.dates import parse_date
from arrears.core.money import parse_yuan, yuan_to_fen
from arrears.portfolio.tape.errors import Reason
from arrears.portfolio.tape.errors import gettext_noop as _
from arrears.portfolio.tape.reading import PercentCell

REPAYMENT_METHODS = {
    "annuity": "annuity",
    "等额本息": "annuity",
    "equal_principal": "equal_principal",
    "等额本金": "equal_principal",
    "interest_only": "interest_only",
    "先息后本": "interest_only",
    "按月付息到期还本": "interest_only",
    "bullet": "bullet",
    "到期还本付息": "bullet",
    "一次性还本付息": "bullet",
    "到期一次还本付息": "bullet",
}
GUARANTEE_TYPES = {
    "credit": "credit",
    "信用": "credit",
    "guarantee": "guarantee",
    "保证": "guarantee",
    "担保": "guarantee",
    "mortgage": "mortgage",
    "抵押": "mortgage",
    "pledge": "pledge",
    "质押": "pledge",
}
PARTY_ROLES = {
    "co_borrower": "co_borrower",
    "共同借款人": "co_borrower",
    "guarantor": "guarantor",
    "担保人": "guarantor",
    "保证人": "guarantor",
    "counter_guarantor": "counter_guarantor",
    "反担保人": "counter_guarantor",
    "contact_person": "contact_person",
    "紧急联系人": "contact_person",
    "联系人": "contact_person",
}
GUARANTEE_KINDS = {
    "joint": "joint",
    "连带": "joint",
    "连带责任": "joint",
    "连带保证": "joint",
    "连带责任保证": "joint",
    "general": "general",
    "一般": "general",
    "一般保证": "general",
}
# An agreed guarantee period "until the debt is repaid" is an unclear agreement: the
# six-month period applies (担保制度解释 art. 32), so these read as no agreed end.
UNTIL_REPAID = frozenset(
    {"until repaid", "直至还清", "至还清为止", "直至主债务本息还清时为止", "主债务还清之日"}
)
CURRENCY_ALIASES = {"人民币": "CNY", "RMB": "CNY", "CNY": "CNY"}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_UNIT = re.compile(r"(期|个月|月|天|日)$")
_CURRENCY = re.compile(r"[A-Z]{3}")


def text(value: object) -> str:
    """A cell as trimmed text ("" for empty). Whole-number floats lose their ".0"."""
    if type(value) is str:  # a CSV cell, the common case
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def amount(value: object) -> int:
    """A positive amount in yuan → fen."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(Reason(_("'%(value)s' is not an amount in yuan"), value=value))
        fen = yuan_to_fen(value)
    else:
        fen = parse_yuan(text(value))
    if fen <= 0:
        raise ValueError(Reason(_("must be more than 0")))
    return fen


def rate(value: object) -> Decimal:
    """A yearly rate in percent → exact fraction: "12", "12%", "12.5" → 0.12, 0.125.

    A bare number below 1 (other than 0) is refused: "0.12" may mean 12 % or 0.12 %.
    """
    if isinstance(value, PercentCell):
        fraction = Decimal(repr(value.value))
        shown = str(value)
    else:
        shown = text(value)
        raw = shown.replace("％", "%").replace(" ", "")
        has_percent = raw.endswith("%")
        number = raw.rstrip("%")
        if not _NUMBER.match(number):
            raise ValueError(
                Reason(_("'%(value)s' is not a rate in percent (write 12 or 12%%)"), value=shown)
            )
        try:
            percent = Decimal(number)
        except InvalidOperation as exc:  # pragma: no cover - the regex already checked
            raise ValueError(
                Reason(_("'%(value)s' is not a rate in percent"), value=shown)
            ) from exc
        if not has_percent and 0 < percent < 1:
            as_percent = f"{(percent * 100).normalize():f}"
            raise ValueError(
                Reason(
                    _(
                        "'%(value)s' is ambiguous: write %(percent)s for %(percent)s%% a year,"
                        " or %(value)s%% for %(value)s%%"
                    ),
                    value=shown,
                    percent=as_percent,
                )
            )
        fraction = percent / 100
    if fraction < 0:
        raise ValueError(Reason(_("'%(value)s' is negative"), value=shown))
    if fraction > 1:
        raise ValueError(Reason(_("'%(value)s' is above 100%% a year"), value=shown))
    return fraction


def whole_number(value: object, *, low: int, high: int, unit: str = "") -> int:
    """An integer within [low, high]; "12期", "12个月", "3天" allowed."""
    shown = text(value)
    # A plain number (the common cell) has no unit to take off.
    digits = shown if shown.isdigit() else _UNIT.sub("", shown)
    if not digits.isdigit():
        raise ValueError(Reason(_("'%(value)s' is not a whole number"), value=shown))
    number = int(digits)
    if not low <= number <= high:
        raise ValueError(
            Reason(
                _("%(number)s is outside %(low)s–%(high)s%(unit)s"),
                number=number,
                low=low,
                high=high,
                unit=unit,
            )
        )
    return number


def choice(value: object, options: dict[str, str], names: str) -> str:
    shown = text(value)
    key = shown.lower() if shown.isascii() else shown
    if key not in options:
        raise ValueError(Reason(_("'%(value)s' is not one of %(names)s"), value=shown, names=names))
    return options[key]


def business_date(value: object) -> date:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(Reason(_("'%(value)s' is not a date"), value=value))
    return parse_date(value)


# The earliest birth date a living borrower's ID number can carry.
EARLIEST_BIRTH = date(1900, 1, 1)
# A day already past when this module loaded: a birth date up to it is not in the future,
# whatever today is, so most numbers skip asking the clock (once per party of a tape).
_KNOWN_PAST = date.today()


@lru_cache(maxsize=1 << 14)
def region_existed(code: str) -> bool:
    """Whether the six-digit region code names a county that existed at any time
    (python-stdnum's county table, whatever years it gives the county).

    Not "in the birth year", as python-stdnum's own check demands: a number is assigned when
    the person is first registered, often years after birth and after a move, so people born
    in the 1960s-80s hold codes of districts created in the 1980s-90s (浦东新区 310115 dates
    from 1992). That rule refused about a quarter of the good loans of a real tape. A prefix
    that names a province or city but no county, or nothing at all, is refused.
    """
    found = numdb.get("cn/loc").info(code)
    return any(props.get("county") for _, props in found)


def birth_date_of(number: str, *, today: date | None = None) -> date | None:
    """The birth date an 18-character ID number carries, or None when it is not a real date,
    is in the future, or is before 1900."""
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if born < EARLIEST_BIRTH:
        return None
    if today is not None:
        return None if born > today else born
    if born > _KNOWN_PAST and born > date.today():
        return None
    return born


def resident_id_valid(number: str) -> bool:
    """An 18-character resident ID card number as real ones are: 17 digits and an ISO 7064
    MOD 11-2 check character, a real birth date between 1900 and today, and a region code
    that existed at some time (``region_existed``)."""
    head = number[:17]
    if not head.isdigit() or not head.isascii():
        return False
    # ISO 7064 MOD 11-2: the weights 2^(17-i) mod 11 are what the digits carry read as a
    # base-13 number (13 ≡ 2 mod 11), so one int() does the weighted sum in C.
    check = (1 - 2 * int(head, 13)) % 11
    if number[17] != ("X" if check == 10 else str(check)):
        return False
    return birth_date_of(number) is not None and region_existed(number[:6])


def identity(value: object) -> tuple[str, str, str]:
    """An ID number → (party kind, id type, normalised number).

    A resident ID card number decides a person; a unified social credit code a company.
    """
    number = text(value).replace(" ", "").upper()
    if not number:
        raise ValueError(Reason(_("is empty")))
    if len(number) == 15 and number.isdigit():
        raise ValueError(
            Reason(_("%(number)s is an old 15-digit ID: use the 18-digit number"), number=number)
        )
    if len(number) == 18 and resident_id_valid(number):
        return "person", "resident_id", number
    if len(number) == 18 and uscc.is_valid(number):
        return "company", "uscc", number
    if len(number) != 18:
        raise ValueError(
            Reason(
                _(
                    "'%(number)s' is neither an 18-digit ID card number nor a unified social"
                    " credit code"
                ),
                number=number,
            )
        )
    if number[:17].isdigit():
        if number[17] != ric.calc_check_digit(number):
            raise ValueError(Reason(_("check digit is wrong (%(number)s)"), number=number))
        if birth_date_of(number) is None:
            raise ValueError(
                Reason(
                    _(
                        "the birth date %(born)s is not a real date between 1900 and today"
                        " (%(number)s)"
                    ),
                    born=number[6:14],
                    number=number,
                )
            )
        raise ValueError(
            Reason(
                _("region code %(region)s never existed (%(number)s)"),
                region=number[:6],
                number=number,
            )
        )
    try:
        uscc.validate(number)
    except stdnum_errors.InvalidChecksum:
        raise ValueError(
            Reason(_("check digit of the credit code is wrong (%(number)s)"), number=number)
        ) from None
    except stdnum_errors.ValidationError:
        pass
    raise ValueError(
        Reason(
            _("is neither an ID card number nor a unified social credit code (%(number)s)"),
            number=number,
        )
    )


# How each phone problem reads in a rejects file (``core.phones`` codes), for the region
# the number was read in: China's words, then every other country's (named by ISO code).
_CN_PHONE_PROBLEMS = {
    phones.NOT_IN_REGION: _(
        "'%(value)s' is not a Chinese number (a mobile 1xx xxxx xxxx or a landline with its"
        " area code 0xx-xxxxxxxx); write a number of another country with its country code,"
        " such as +1 202 555 0143"
    ),
    phones.INVALID: _("'%(value)s' is not a mobile (11 digits) or landline number"),
}
_PHONE_PROBLEMS = {
    phones.EMPTY: _("is empty"),
    phones.NOT_A_NUMBER: _("'%(value)s' is not a phone number"),
    phones.NOT_IN_REGION: _(
        "'%(value)s' is not a phone number of %(region)s; write a number of another country"
        " with its country code, such as +86 138 0013 8000"
    ),
    phones.INVALID: _("'%(value)s' is not a valid phone number"),
}


def phone(value: object, region: str = phones.DEFAULT_REGION) -> str:
    """A phone number in E.164 (``+8613800138000``): one written with its country code is
    read in that country, one without in ``region`` (the creditor's; ``core.phones``)."""
    shown = text(value)
    try:
        return phones.parse_phone(shown, region)
    except phones.PhoneProblem as problem:
        foreign = shown.lstrip().startswith(("+", "＋", "00"))
        words = _CN_PHONE_PROBLEMS if region == "CN" and not foreign else {}
        template = words.get(problem.code, _PHONE_PROBLEMS[problem.code])
        raise ValueError(Reason(template, value=shown, region=region)) from None


def email(value: object) -> str:
    shown = text(value)
    if not _EMAIL.match(shown):
        raise ValueError(Reason(_("'%(value)s' is not an email address"), value=shown))
    return shown.lower()


def currency(value: object) -> str:
    shown = text(value).upper()
    if not shown:
        return "CNY"
    code = CURRENCY_ALIASES.get(shown, CURRENCY_ALIASES.get(text(value), shown))
    if not _CURRENCY.fullmatch(code):
        raise ValueError(
            Reason(_("'%(value)s' is not a currency code such as CNY"), value=text(value))
        )
    return code
