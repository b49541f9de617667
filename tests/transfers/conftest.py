"""Shared by the assignment tests: a lender's overdue, guaranteed loan worked by one of its
collectors, the shipped templates, and an SMS channel that keeps what it is given."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command

from arrears.accounts.choices import Role
from arrears.accounts.models import Team, User
from arrears.cases.models import CollectionCase
from arrears.outreach.channels.base import Outgoing, RequestHooks, Result
from arrears.outreach.sender import Liveness, send_due
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, valid_id, write_csv

SHANGHAI = ZoneInfo("Asia/Shanghai")
OLD = "测试小贷"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class KeptSms:
    """An SMS provider that accepts every message and keeps it."""

    name = "sms"
    max_batch = 100

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def send(self, messages: Sequence[Outgoing], hooks: RequestHooks | None = None) -> list[Result]:
        if hooks is not None:
            hooks.before(messages)
        self.sent.extend(messages)
        results = [Result("sent", provider_id=f"p{m.message_id}") for m in messages]
        if hooks is not None:
            hooks.after(messages, results)
        return results


def tomorrow_at(hour: int) -> datetime:
    """Tomorrow at ``hour`` o'clock in Shanghai: after the notices fell due (they are due
    when the assignment is made, by the wall clock)."""
    today = datetime.now(SHANGHAI).date()
    return datetime(today.year, today.month, today.day, hour, tzinfo=SHANGHAI) + timedelta(days=1)


def texts_send(when: datetime) -> KeptSms:
    """One pass of the outbox worker over the SMS channel at ``when``."""
    channel = KeptSms()
    send_due({"sms": channel}, Liveness(), now=lambda: when)
    return channel


@pytest.fixture
def shipped(db: None) -> None:
    """The shipped templates, as the data migration loads them."""
    migration = importlib.import_module("arrears.outreach.migrations.0004_shipped_templates")
    migration.load(global_apps, None)


@pytest.fixture
def collector(creditor: Creditor) -> User:
    team = Team.objects.create(name="M1 老团队", creditor=creditor, buckets="M1")
    return User.objects.create_user("old_collector", password="x-long-pass-1", role=Role.COLLECTOR,
                                    team=team)  # fmt: skip


@pytest.fixture
def loan(creditor: Creditor, collector: User, shipped: None, tmp_path: Path) -> Loan:
    """张三's 120,000.00 loan of 测试小贷, guaranteed by 李四, first due 2026-02-28 and never
    paid; after the cycle of 2026-03-10 its case (DPD 10, M1) is the old collector's."""
    row = loan_row(
        "A1",
        borrower_phone="13800138000",
        guarantor_name="李四",
        guarantor_id_number=valid_id(),
        guarantor_phone="13900139000",
    )
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    call_command("cycle", "--date", "2026-03-10", stdout=StringIO())
    case = CollectionCase.objects.get(loan__loan_id="A1")
    CollectionCase.objects.filter(pk=case.pk).update(team=collector.team, assignee=collector)
    return Loan.objects.get(loan_id="A1")
