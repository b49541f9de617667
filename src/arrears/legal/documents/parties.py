"""The parties of a court paper, in full: names, ID numbers, sex and birth date, address, phone.

Court papers are the one place Arrears prints personal data unmasked (the caller has checked
the role, and the generation is audited). Everything is a ready-to-print string; what the
ledger does not know (ethnicity, a company's legal representative) is a blank line for the
lawyer to fill, never a guess.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from stdnum.cn import ric

from arrears.core.phones import mainland_mobile, national
from arrears.portfolio.choices import ContactKind, ContactStatus, IdType, PartyKind, PartyRole
from arrears.portfolio.models import ContactPoint, Loan, LoanParty, Party

# A line the lawyer fills in by hand (Word or pen).
BLANK = "__________"

ROLE_LABELS: dict[str, str] = {
    PartyRole.BORROWER: "借款人",
    PartyRole.CO_BORROWER: "共同借款人",
    PartyRole.GUARANTOR: "保证人",
}
# Who is liable on the loan and so named in a court paper; emergency contacts never are, and
# a counter-guarantor answers to the guarantor, not to the creditor.
BORROWER_ROLES = (PartyRole.BORROWER, PartyRole.CO_BORROWER)
LIABLE_ROLES = (*BORROWER_ROLES, PartyRole.GUARANTOR)
ID_TYPE_LABELS: dict[str, str] = {
    IdType.RESIDENT_ID: "居民身份证",
    IdType.USCC: "统一社会信用代码",
    IdType.PASSPORT: "护照",
    IdType.OTHER: "其他证件",
    IdType.NONE: "",
}
CHINESE_NUMBERS = "一二三四五六七八九十"


def chinese_number(number: int) -> str:
    """1 → 一 … 10 → 十, then 11, 12 … in digits (a paper rarely names more than ten)."""
    return CHINESE_NUMBERS[number - 1] if 1 <= number <= len(CHINESE_NUMBERS) else str(number)


def chinese_date(day: Any) -> str:
    """A date as court papers write it: ``2026年3月7日`` (blank line when unknown)."""
    if day is None:
        return BLANK
    return f"{day.year}年{day.month}月{day.day}日"


def _sex_and_birth(party: Party) -> tuple[str, str]:
    """Sex and birth date read from a resident ID number (the 17th digit is odd for men)."""
    number = party.id_number.strip().upper()
    if party.id_type != IdType.RESIDENT_ID or len(number) != 18:
        return BLANK, BLANK
    try:
        born = ric.get_birth_date(number)
    except ValueError:
        return BLANK, BLANK
    return ("男" if int(number[16]) % 2 else "女"), chinese_date(born)


def _best_contacts(party_ids: set[int]) -> dict[tuple[int, str], str]:
    """Each party's best phone and address: primary first, verified before unverified,
    never one known to be invalid (a court serves papers there)."""
    ranked: dict[tuple[int, str], list[tuple[bool, bool, int, str]]] = defaultdict(list)
    points = (
        ContactPoint.objects.filter(
            party_id__in=party_ids, kind__in=(ContactKind.PHONE, ContactKind.ADDRESS)
        )
        .exclude(status=ContactStatus.INVALID)
        .values_list("party_id", "kind", "value", "status", "is_primary", "id")
    )
    for party_id, kind, value, status, primary, pk in points:
        ranked[(party_id, kind)].append((not primary, status != ContactStatus.VALID, pk, value))
    return {key: sorted(values)[0][3] for key, values in ranked.items()}


def _phone(value: str | None) -> str:
    if not value:
        return BLANK
    return mainland_mobile(value) or national(value)


def party_facts(
    party: Party, *, role: str, no: int, contacts: dict[tuple[int, str], str]
) -> dict[str, Any]:
    """One party as a court paper names it (every value a string, except ``is_company``)."""
    sex, born = _sex_and_birth(party)
    return {
        "no": chinese_number(no),
        "role": ROLE_LABELS.get(role, role),
        "name": party.name,
        "is_company": party.kind == PartyKind.COMPANY,
        "sex": sex,
        "birth_date": born,
        "ethnicity": BLANK,
        "id_type": ID_TYPE_LABELS.get(party.id_type, "") or BLANK,
        "id_number": party.id_number or BLANK,
        "address": contacts.get((party.pk, ContactKind.ADDRESS)) or BLANK,
        "residence": BLANK,
        "phone": _phone(contacts.get((party.pk, ContactKind.PHONE))),
        "employer": party.employer or BLANK,
        "representative": BLANK,
    }


def loan_parties(loan: Loan) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The loan's borrowers (borrower first, then co-borrowers) and its guarantors, each in
    the order they were recorded; a party is named once per role."""
    links = list(
        LoanParty.objects.filter(loan=loan, role__in=LIABLE_ROLES)
        .select_related("party")
        .order_by("id")
    )
    contacts = _best_contacts({link.party_id for link in links})
    order = {role: index for index, role in enumerate(LIABLE_ROLES)}
    links.sort(key=lambda link: (order[PartyRole(link.role)], link.pk))
    borrowers: list[dict[str, Any]] = []
    guarantors: list[dict[str, Any]] = []
    for number, link in enumerate(links, start=1):
        facts = party_facts(link.party, role=link.role, no=number, contacts=contacts)
        (borrowers if link.role in BORROWER_ROLES else guarantors).append(facts)
    return borrowers, guarantors
