"""Managing playbooks: YAML import and export, versions (command and admin), cases following
a new version, experiments splitting cases, and quiet holidays moving planned messages."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from arrears.accounts.models import User
from arrears.compliance.models import CompliancePolicy, ContactRefusal
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from arrears.strategy import arms
from arrears.strategy.models import (
    CaseStrategy,
    Experiment,
    PlannedAction,
    Playbook,
    PlaybookVersion,
    StrategyEvent,
)
from tests.factories import loan_row, write_csv

SHIPPED = Path(__file__).resolve().parents[2] / "src/arrears/strategy/data/playbooks"


def playbook(*args: str) -> str:
    out = StringIO()
    call_command("playbook", *args, stdout=out)
    return out.getvalue()


def cycle(*args: str) -> None:
    call_command("cycle", *args, "--json", stdout=StringIO())


@pytest.mark.django_db
def test_the_shipped_playbooks_are_there_and_export_exactly_as_shipped() -> None:
    listed = playbook("list")

    for name in ("consumer-loan", "guaranteed-loan", "credit-card"):
        assert name in listed
        assert playbook("export", name) == (SHIPPED / f"{name}.yaml").read_text(encoding="utf-8")


@pytest.mark.django_db
def test_importing_a_changed_file_publishes_the_next_version_and_keeps_the_old(
    tmp_path: Path,
) -> None:
    original = playbook("export", "consumer-loan")
    changed = tmp_path / "consumer.yaml"
    changed.write_text(original.replace("every: 3", "every: 2", 1), encoding="utf-8")

    first = playbook("import", str(changed), "--note", "more frequent reminders")
    again = playbook("import", str(changed))

    assert first.strip() == "consumer-loan v2 published"
    assert again.strip() == "consumer-loan v2: unchanged"
    assert playbook("export", "consumer-loan") == changed.read_text(encoding="utf-8")
    assert playbook("export", "consumer-loan", "--version", "1") == original
    assert PlaybookVersion.objects.get(playbook__name="consumer-loan", number=2).note == (
        "more frequent reminders"
    )


@pytest.mark.django_db
def test_a_bad_file_is_refused_with_every_mistake_and_publishes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: Bad Name\ntitle: x\nstages:\n- name: s\n  title: s\n  from_dpd: 0\n"
        "  to_dpd: 5\n  actions:\n  - name: a\n    title: a\n    type: fax\n"
        "    target: borrower\n    on_day: 1\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as refused:
        playbook("import", str(bad))

    message = str(refused.value)
    assert "name" in message and "from_dpd" in message and "fax" in message
    assert Playbook.objects.count() == 3


@pytest.mark.django_db
def test_a_manager_edits_a_playbook_in_the_admin_and_a_mistake_is_shown_not_saved(
    client: Client,
) -> None:
    client.force_login(User.objects.create_superuser("boss", password="a-long-unique-pass"))
    book = Playbook.objects.get(name="credit-card")
    url = f"/admin/strategy/playbook/{book.pk}/change/"
    text = playbook("export", "credit-card")

    page = client.get(url)
    wrong = client.post(
        url, {"definition": text.replace("type: sms", "type: fax"), "note": "x", "active": "on"}
    )
    saved = client.post(
        url,
        {"definition": text.replace("every: 5", "every: 4"), "note": "短信改为4天", "active": "on"},
    )

    assert page.status_code == 200 and "credit-card" in page.content.decode()
    assert wrong.status_code == 200 and "unknown action type" in wrong.content.decode()
    assert saved.status_code == 302
    book.refresh_from_db()
    assert book.version == 2
    assert PlaybookVersion.objects.get(playbook=book, number=2).created_by.username == "boss"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_open_cases_follow_a_new_version_from_the_next_day(
    creditor: Creditor, tmp_path: Path
) -> None:
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [loan_row("V1")])
    )
    cycle("--date", "2026-03-01")
    changed = tmp_path / "consumer.yaml"
    changed.write_text(
        playbook("export", "consumer-loan").replace("title: 消费贷款", "title: 消费贷款（新）"),
        encoding="utf-8",
    )
    playbook("import", str(changed))

    cycle("--date", "2026-03-02", "--through", "2026-03-04")

    sms = PlannedAction.objects.filter(type="sms").order_by("business_date")
    assert [(a.business_date.isoformat(), a.rule.split(" › ")[0]) for a in sms] == [
        ("2026-03-01", "消费贷款 v1"),
        ("2026-03-04", "消费贷款（新） v2"),
    ]
    assert CaseStrategy.objects.get().version.number == 2


def test_experiment_arms_are_stable_and_within_two_percent_of_the_split() -> None:
    first = [arms.is_challenger("reminder-tone", case_id, 20) for case_id in range(1, 10_001)]
    second = [arms.is_challenger("reminder-tone", case_id, 20) for case_id in range(1, 10_001)]
    other = [arms.is_challenger("letter-first", case_id, 20) for case_id in range(1, 10_001)]

    assert first == second
    assert abs(sum(first) / 10_000 - 0.20) <= 0.02
    assert abs(sum(other) / 10_000 - 0.20) <= 0.02
    # Another experiment draws its own arms, not the same cases again.
    assert sum(a and b for a, b in zip(first, other, strict=True)) < 0.3 * sum(first)


@pytest.mark.django_db
def test_an_experiment_splits_new_cases_by_the_hash_and_the_split_is_reproducible(
    creditor: Creditor, tmp_path: Path
) -> None:
    rows = [loan_row(f"E{n:03d}") for n in range(60)]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))
    champion = Playbook.objects.get(name="consumer-loan")
    challenger = Playbook.objects.get(name="credit-card")
    Experiment.objects.create(
        name="card-style", champion=champion, challenger=challenger, challenger_percent=50
    )

    cycle("--date", "2026-03-01")
    first = dict(CaseStrategy.objects.values_list("case_id", "arm"))
    CaseStrategy.objects.all().delete()
    StrategyEvent.objects.all().delete()
    cycle("--date", "2026-03-01")
    second = dict(CaseStrategy.objects.values_list("case_id", "arm"))

    expected = {
        case_id: "challenger" if arms.is_challenger("card-style", case_id, 50) else "champion"
        for case_id in first
    }
    assert len(first) == 60 and first == second == expected
    assert set(first.values()) == {"champion", "challenger"}
    on_card = CaseStrategy.objects.filter(arm="challenger")
    assert set(on_card.values_list("playbook__name", "stage")) == {("credit-card", "service")}


@pytest.mark.django_db
def test_a_reminder_planned_on_a_quiet_holiday_waits_for_the_first_working_morning(
    creditor: Creditor, tmp_path: Path
) -> None:
    CompliancePolicy.objects.create(creditor=creditor, quiet_public_holidays=True)
    tape_ingest(
        creditor=creditor,
        kind="loans",
        path=write_csv(
            tmp_path / "l.csv", [loan_row("H1", disbursed_on="2026-08-30", borrower_email="")]
        ),
    )
    # First due 2026-09-30; DPD 1 on National Day, 2026-10-01.
    cycle("--date", "2026-10-01")

    reminder = OutboxMessage.objects.get(purpose="sms")
    assert reminder.status == "queued"
    assert reminder.due_at.isoformat() == "2026-10-08T00:00:00+00:00"  # 08:00 in Shanghai
    refusal = ContactRefusal.objects.get(channel="sms")
    assert refusal.reasons == [{"code": "quiet_day", "params": {"day": "2026-10-01"}}]
