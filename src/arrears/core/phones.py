"""Phone numbers: one way to read, check, store and show them (``phonenumbers``).

Pure: no Django import. A number is stored in E.164 (``+8613800138000``; an extension, when
the tape gives one, follows as ``;ext=123`` as in RFC 3966), shown in its country's national
format (``138 0013 8000``, ``(202) 555-0143``) and masked for people who may not see it whole.

Reading: a number written with its country code (``+1 202 555 0143``, ``0086 138…``) is read
in that country whatever the creditor's; one written without it is read in the creditor's
``region`` (ISO 3166 code; ``region_of_pack`` gives the region a policy pack implies).
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

DEFAULT_REGION = "CN"

# The country whose numbering plan a number without a country code is read in, by the
# code of the compliance policy pack a creditor keeps (``compliance.rules.PACKS``). Kept
# here, below every app, so the ledger's import can read a creditor's numbers without
# importing the compliance app.
PACK_REGIONS = {"cn": "CN", "us-regf": "US"}

# Why a value is not a phone number (``PhoneProblem.code``); the callers word them.
EMPTY = "empty"
NOT_A_NUMBER = "not_a_number"
NOT_IN_REGION = "not_in_region"  # no country code, and not a number of the region
INVALID = "invalid"

# Mainland mobile numbers: 11 digits from 13x to 19x. Ranges are opened (16x, 19x, 192…)
# before the ``phonenumbers`` metadata knows them, so the shape is enough.
_CN_MOBILE = re.compile(r"1[3-9]\d{9}")
# A mainland mobile as stored (E.164, no extension).
_STORED_MOBILE = re.compile(r"\+86(1[3-9]\d{9})")
# Mainland landlines with their area code and trunk 0: 010-12345678, 0755-8888-8888.
_CN_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}")
_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_DASHES = str.maketrans({"—": "-", "–": "-", "‐": "-", "−": "-"})
_NON_DIGIT = re.compile(r"\D", re.ASCII)


class PhoneProblem(ValueError):
    """Why ``raw`` is not a phone number: ``code`` (``EMPTY``, ``NOT_A_NUMBER``,
    ``NOT_IN_REGION``, ``INVALID``) and the region it was read in."""

    def __init__(self, code: str, raw: str, region: str) -> None:
        super().__init__(code, raw, region)
        self.code, self.raw, self.region = code, raw, region

    def __str__(self) -> str:
        return f"{self.raw!r}: {self.code} ({self.region})"


def region_of_pack(pack: str | None) -> str:
    """The region a policy pack implies (``cn`` → CN, ``us-regf`` → US); CN for none."""
    return PACK_REGIONS.get(pack or "", DEFAULT_REGION)


def _split_extension(text: str) -> tuple[str, str]:
    found = _EXTENSION.search(text)
    if found and _NON_DIGIT.sub("", text[: found.start()]):
        return text[: found.start()], found.group(1)
    return text, ""


def _international(text: str, digits: str, region: str) -> bool:
    """Whether ``text`` carries its country code: a ``+``, the ``00`` international prefix,
    or (in China) ``86`` before 11 mobile digits."""
    if text.lstrip().startswith("+") or digits.startswith("00"):
        return True
    return region == "CN" and len(digits) == 13 and digits.startswith("861")


def _acceptable(number: phonenumbers.PhoneNumber, national: str, *, international: bool) -> bool:
    """The validity rule: the metadata says valid, or the number has a real shape the
    metadata lags behind on.

    ``phonenumbers.is_valid_number`` knows the ranges allocated when its metadata was cut;
    reality moves first (new mobile ranges such as 19x and 16x were sold before libraries
    knew them), and refusing a debtor's real number loses the one way to reach them. So:
    valid, or — in China — an 11-digit mobile of 13x–19x or a landline with trunk 0 and area
    code (the shapes accepted before ``phonenumbers``); elsewhere, a number written with its
    country code whose length is exactly one of that country's plan (``IS_POSSIBLE``, not
    merely a local-only length). A foreign number without its country code must be valid:
    read in the creditor's region, a number from elsewhere (a Chinese mobile on a US tape)
    would otherwise pass as a number that does not exist.
    """
    if phonenumbers.is_valid_number(number):
        return True
    if number.country_code == 86:
        return bool(_CN_MOBILE.fullmatch(national) or _CN_LANDLINE.fullmatch(national))
    reason = phonenumbers.is_possible_number_with_reason(number)
    return international and reason == phonenumbers.ValidationResult.IS_POSSIBLE


def _national_digits(number: phonenumbers.PhoneNumber) -> str:
    """The national number as dialled at home: trunk 0 included for a Chinese landline."""
    return _NON_DIGIT.sub("", phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL))


def _e164(number: phonenumbers.PhoneNumber, extension: str) -> str:
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return f"{e164};ext={extension}" if extension else e164


def _mainland_mobile_fast(digits: str, *, international: bool, region: str) -> str | None:
    """The 11 digits of a mainland mobile written in one of its everyday forms, else None.

    Most numbers on a Chinese tape are mobiles; for them the answer of ``phonenumbers``
    (parse, then the shape rule of ``_acceptable``) is known in advance: ``+86`` and the 11
    digits. Taking this path first keeps a large import from spending most of its time in
    the library (tests/core/test_phones.py checks both paths agree)."""
    if international:
        # 0086 is the international prefix as China dials it; elsewhere it may not be (the
        # US dials 011), so there the general path decides.
        for prefix in ("0086", "86") if region == "CN" else ("86",):
            if digits.startswith(prefix) and _CN_MOBILE.fullmatch(digits[len(prefix) :]):
                return digits[len(prefix) :]
        return None
    return digits if region == "CN" and _CN_MOBILE.fullmatch(digits) else None


def parse_phone(raw: object, region: str = DEFAULT_REGION) -> str:
    """``raw`` as E.164 (``+8613800138000``), read in ``region`` unless it carries its own
    country code; raises ``PhoneProblem`` saying why it is not a number.

    Accepts the forms people write: ``138 0013 8000``, ``+86 138-0013-8000``, ``0086…``,
    ``86…``, ``010-12345678``, ``0755 8888 8888``, full-width digits and brackets, an
    extension (``转123``, ``ext. 123``); ``(202) 555-0143`` for a US creditor, ``+1 202…``
    for anyone. In China a number without country code is a mobile (1…) or a landline with
    its trunk 0 (0…): ``2025550143`` is refused as not a Chinese number, not read as a
    Guangzhou landline missing its 0 — that is how a US number looks on a Chinese tape.
    """
    # NFKC turns full-width digits, brackets and plus (１３８, （）, ＋) into ASCII.
    text = unicodedata.normalize("NFKC", str(raw or "")).translate(_DASHES).strip()
    if not text:
        raise PhoneProblem(EMPTY, text, region)
    body, extension = _split_extension(text)
    if re.search(r"[^\d\s\-().+/]", body):
        raise PhoneProblem(NOT_A_NUMBER, text, region)
    digits = _NON_DIGIT.sub("", body)
    if len(digits) < 3 or body.count("+") > 1 or ("+" in body and not body.startswith("+")):
        raise PhoneProblem(NOT_A_NUMBER, text, region)
    international = _international(body, digits, region)
    mobile = _mainland_mobile_fast(digits, international=international, region=region)
    if mobile is not None:
        return f"+86{mobile};ext={extension}" if extension else f"+86{mobile}"
    if not international and region == "CN" and not digits.startswith(("0", "1")):
        raise PhoneProblem(NOT_IN_REGION, text, region)
    try:
        number = phonenumbers.parse(body if not international or "+" in body else digits, region)
    except NumberParseException:
        raise PhoneProblem(NOT_A_NUMBER, text, region) from None
    if not international and number.country_code != phonenumbers.country_code_for_region(region):
        raise PhoneProblem(NOT_IN_REGION, text, region)
    if not _acceptable(number, _national_digits(number), international=international):
        raise PhoneProblem(INVALID, text, region)
    return _e164(number, extension)


def _stored(e164: str) -> tuple[phonenumbers.PhoneNumber, str] | None:
    """A stored value read back (E.164, optionally ``;ext=``); None when it is not one."""
    head, _, extension = e164.partition(";ext=")
    if not head.startswith("+"):
        return None
    try:
        return phonenumbers.parse(head, None), extension
    except NumberParseException:
        return None


def _read_any(value: str, region: str = DEFAULT_REGION) -> tuple[phonenumbers.PhoneNumber, str]:
    """``value`` as stored now (E.164) or before (bare mainland digits), or raise."""
    found = _stored(value.strip())
    if found is not None:
        return found
    e164 = parse_phone(value, region)
    found = _stored(e164)
    assert found is not None
    return found


def national(value: str, region: str = DEFAULT_REGION) -> str:
    """A stored number as its country writes it: ``+8613800138000`` → ``138 0013 8000``,
    ``+861012345678`` → ``010 1234 5678``; another country's number keeps its code:
    ``+12025550143`` → ``+1 202-555-0143`` (``(202) 555-0143`` for region US). A value
    that is not a number comes back as it is."""
    stored = _STORED_MOBILE.fullmatch(value.strip())
    if stored and region == "CN":  # the common case, as phonenumbers formats it
        digits = stored.group(1)
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    try:
        number, extension = _read_any(value, region)
    except PhoneProblem:
        return value
    # A number of another country than the reader's keeps its country code, so a Chinese
    # collector does not read "(202) 555-0143" as a local number.
    local = number.country_code == phonenumbers.country_code_for_region(region)
    shown = phonenumbers.format_number(
        number, PhoneNumberFormat.NATIONAL if local else PhoneNumberFormat.INTERNATIONAL
    )
    return f"{shown} ext. {extension}" if extension else shown


def _mask_characters(text: str) -> str:
    """Keep the first 3 and last 4 characters, star the rest: 13812345678 → 138****5678."""
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def mask(value: str, region: str = DEFAULT_REGION) -> str:
    """A number for people who may not see it whole, in national form with its first 3
    and last 4 digits kept: ``+8613800138000`` → ``138****8000`` (Chinese numbers keep the
    compact shape collectors know), ``+12025550143`` → ``+1 (202) ***-0143``
    (``(202) ***-0143`` for region US). A value that is
    not a number is starred but for its first 3 and last 4 characters."""
    stored = _STORED_MOBILE.fullmatch(value.strip())
    if stored:  # a mainland mobile: 138****8000 (what the general path below gives it)
        return _mask_characters(stored.group(1))
    try:
        number, _extension = _read_any(value, region)
    except PhoneProblem:
        return _mask_characters(value)
    if number.country_code == 86:
        return _mask_characters(_national_digits(number))
    shown = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    positions = [i for i, c in enumerate(shown) if c.isdigit()]
    if len(positions) <= 7:
        return _mask_characters(_national_digits(number))
    hidden = set(positions[3:-4])
    masked = "".join("*" if i in hidden else c for i, c in enumerate(shown))
    # A number of another country than the reader's shows its country code, so a Chinese
    # collector does not take "(202) ***-0143" for a local number.
    local = number.country_code == phonenumbers.country_code_for_region(region)
    return masked if local else f"+{number.country_code} {masked}"


def index_form(value: str, region: str = DEFAULT_REGION) -> str:
    """The form a number is matched in (the blind index's normal form): its E.164 when it
    reads as a number — so ``138 0013 8000``, ``+86 13800138000`` and ``+8613800138000``
    are one — else its digits (or the trimmed text when it has none)."""
    text = value.strip()
    try:
        return parse_phone(text, region)
    except PhoneProblem:
        pass
    found = _stored(text)
    if found is not None:
        return _e164(*found)
    return _NON_DIGIT.sub("", text) or text


def same_number(first: str, second: str) -> bool:
    """Whether two writings name one number: equal index forms, or equal digits once a
    country code is written on both (a gateway's ``12025550143`` and our ``+12025550143``)."""
    if index_form(first) == index_form(second):
        return True
    head_first, head_second = first.partition(";")[0], second.partition(";")[0]
    return _NON_DIGIT.sub("", head_first) == _NON_DIGIT.sub("", head_second) != "" and (
        head_first.strip().startswith("+") or head_second.strip().startswith("+")
    )


def mainland_mobile(value: str) -> str | None:
    """The 11 digits of a mainland mobile number (``+8613800138000`` → ``13800138000``), or
    None when ``value`` is not one."""
    try:
        number, _extension = _read_any(value)
    except PhoneProblem:
        return None
    national_number = str(number.national_number)
    if number.country_code == 86 and _CN_MOBILE.fullmatch(national_number):
        return national_number
    return None


def international_digits(value: str) -> str | None:
    """Country code and national number without ``+`` (``+12025550143`` → ``12025550143``),
    the form SMS gateways take for numbers abroad; None when ``value`` is not a number."""
    try:
        number, _extension = _read_any(value)
    except PhoneProblem:
        return None
    return f"{number.country_code}{number.national_number}"


def is_mobile_capable(value: str) -> bool:
    """Whether a text message can reach the number (a mobile, or a number the metadata
    cannot tell apart from one, as in the US)."""
    try:
        number, _extension = _read_any(value)
    except PhoneProblem:
        return False
    if number.country_code == 86:
        return bool(_CN_MOBILE.fullmatch(str(number.national_number)))
    return phonenumbers.number_type(number) in (
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.UNKNOWN,
    )
