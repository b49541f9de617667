"""The demo's field work, recorded through the same services people use: a two-person
visit with a photo on one of the field agent's cases (and an address found wrong on
another), and a skip-trace history on a third — a number found dead, a new one from a
third-party search, a new employer. Only ``arrears demo`` calls this
(``demo_field_work(day=…)``, with a past business day so the visit is not in the future).
"""

from __future__ import annotations

import struct
import zlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from arrears.accounts.models import User
from arrears.cases.models import CollectionCase
from arrears.cases.scoping import cases_visible_to
from arrears.core.errors import InvalidInput
from arrears.field.contact_services import contact_point_add, contact_point_judge, employer_record
from arrears.field.visit_services import UploadedFile, same_organisation, visit_record
from arrears.portfolio.choices import ContactKind, ContactStatus, PartyRole
from arrears.portfolio.models import ContactPoint, LoanParty

FIELD_AGENT = "fieldagent"
# Where the demo's visits go when a borrower has no address on file.
DEMO_ADDRESSES = ("北京市海淀区中关村大街27号院3单元502", "北京市朝阳区望京西路48号金隅国际B座")


def demo_photo() -> bytes:
    """A small real PNG standing in for a photo of the front door."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * 8 for _ in range(6))
    header = struct.pack(">IIBBBBB", 8, 6, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _borrower_id(case: CollectionCase) -> int | None:
    return (
        LoanParty.objects.filter(loan_id=case.loan_id, role=PartyRole.BORROWER)
        .values_list("party_id", flat=True)
        .first()
    )


def _address_id(party_id: int) -> int | None:
    return (
        ContactPoint.objects.filter(party_id=party_id, kind=ContactKind.ADDRESS)
        .exclude(status=ContactStatus.INVALID)
        .values_list("pk", flat=True)
        .first()
    )


def _visit(
    agent: User, partner: User, case: CollectionCase, day: date, hour: int, outcome: str, n: int
) -> bool:
    party_id = _borrower_id(case)
    if party_id is None:
        return False
    zone = ZoneInfo(settings.TIME_ZONE)
    arrived = datetime.combine(day, time(hour, 20), zone)
    address_id = _address_id(party_id)
    try:
        result = visit_record(
            case=case,
            party_id=party_id,
            by=agent,
            colleague_ids=[partner.pk],
            arrived_at=arrived,
            left_at=arrived + timedelta(minutes=35),
            outcome=outcome,
            on=day,
            address_id=address_id,
            new_address="" if address_id else DEMO_ADDRESSES[n % len(DEMO_ADDRESSES)],
            notes="两人上门，见到本人，告知逾期后果，约定月底前还款"
            if outcome == "met_debtor"
            else "门卫称此人已搬离半年",
            files=[UploadedFile("门牌照片.png", demo_photo())],
        )
    except InvalidInput:
        return False
    return result.allowed


def _skip_trace(agent: User, case: CollectionCase, day: date) -> bool:
    party_id = _borrower_id(case)
    if party_id is None:
        return False
    phone = (
        ContactPoint.objects.filter(party_id=party_id, kind=ContactKind.PHONE)
        .exclude(status=ContactStatus.INVALID)
        .first()
    )
    if phone is None:
        return False
    try:
        contact_point_judge(
            case=case,
            point_id=phone.pk,
            valid=False,
            reason="空号，三天拨打均提示停机",
            by=agent,
            on=day,
        )
        contact_point_add(
            case=case,
            party_id=party_id,
            kind=ContactKind.PHONE,
            value=f"1391{case.pk % 10_000_000:07d}",
            source="third_party",
            note="第三方查询所得新号码",
            by=agent,
            on=day,
        )
        employer_record(
            case=case, party_id=party_id, employer="北京某科技有限公司", source="public", by=agent
        )
    except InvalidInput:
        return False
    return True


def demo_field_work(*, day: date) -> dict[str, int]:
    """On business day ``day``: the field agent and a colleague visit two of the agent's
    open cases (one meeting the borrower, one finding the address wrong), and skip-trace a
    third. Returns how many visits and skip traces were recorded."""
    agent = User.objects.filter(username=FIELD_AGENT, is_active=True).first()
    if agent is None or agent.team_id is None:
        return {"visits": 0, "skip_traces": 0}
    # The second person: a colleague of the same team if there is one, else the team lead
    # or another member of the organisation (the demo's field team has one agent).
    colleagues = (
        User.objects.filter(is_active=True)
        .filter(same_organisation(agent))
        .exclude(pk=agent.pk)
        .exclude(role__in=["admin", "compliance_auditor", "legal_officer"])
    )
    partner = (
        colleagues.filter(team_id=agent.team_id).order_by("username").first()
        or colleagues.filter(role="team_lead").order_by("username").first()
        or colleagues.order_by("username").first()
    )
    # The longest overdue first; a case the gate refuses today (a litigation hold of the
    # legal demo, say) is passed over for the next.
    cases = list(
        cases_visible_to(agent)
        .filter(status="open")
        .select_related("loan")
        .order_by("-current_dpd", "pk")[:12]
    )
    visits = 0
    rest = list(cases)
    if partner is not None:
        outcomes = ["met_debtor", "moved_away"]
        while outcomes and rest:
            case = rest.pop(0)
            if _visit(agent, partner, case, day, 10 + 3 * visits, outcomes[0], visits):
                outcomes.pop(0)
                visits += 1
    traced = _skip_trace(agent, rest[0], day) if rest else False
    return {"visits": visits, "skip_traces": int(traced)}
