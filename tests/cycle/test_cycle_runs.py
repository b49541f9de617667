"""What a cycle day produces: cases and their buckets, classification, limitation watch,
history, the run record and its JSON, and the guards around running it."""

from __future__ import annotations

import fcntl
import json
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from arrears.accounts.models import User
from arrears.cases.models import CaseBucketSpell, CollectionCase
from arrears.core.locks import lock_key, lock_path
from arrears.cycle.lock import CYCLE_LOCK
from arrears.cycle.models import CycleRun
from arrears.cycle.selectors import state_digest
from arrears.portfolio.models import Creditor, Loan, LoanHistory, LoanPosition, Product
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, payment_row, write_csv

pytestmark = pytest.mark.django_db


def cycle(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("cycle", *args, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.fixture
def worked(creditor: Creditor, tmp_path: Path) -> Loan:
    """The foundation's worked example: 120,000.00, first due 2026-02-28, penalty 18 %."""
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [loan_row("W1")])
    )
    return Loan.objects.get(loan_id="W1")


def test_a_case_opens_follows_the_buckets_and_closes_when_cured(
    creditor: Creditor, worked: Loan, tmp_path: Path
) -> None:
    assert cycle("--date", "2026-02-28")["cases_opened"] == 0
    opened = cycle("--date", "2026-03-01")
    cycle("--date", "2026-03-02", "--through", "2026-04-01")
    case = CollectionCase.objects.get(loan=worked)

    assert opened["cases_opened"] == 1 and opened["overdue"] == 1
    assert (case.opened_on.isoformat(), case.entry_dpd, case.entry_amount) == (
        "2026-03-01",
        1,
        1066185 + 473,
    )
    assert (case.status, case.current_dpd, case.bucket, case.worst_dpd) == ("open", 32, "M2", 32)

    tape_ingest(
        creditor=creditor,
        kind="payments",
        path=write_csv(tmp_path / "p.csv", [payment_row("P1", "W1", "2026-04-02", "30000.00")]),
    )
    cured = cycle("--date", "2026-04-02")
    case.refresh_from_db()
    spells = list(
        CaseBucketSpell.objects.filter(case=case)
        .order_by("entered_on")
        .values_list("bucket", "entered_on", "left_on")
    )

    assert cured["cases_closed"] == 1 and cured["overdue"] == 0
    assert (case.status, case.close_reason, case.closed_on.isoformat()) == (  # type: ignore[union-attr]
        "closed",
        "cured",
        "2026-04-02",
    )
    assert [(b, e.isoformat(), left.isoformat() if left else None) for b, e, left in spells] == [
        ("M1", "2026-03-01", "2026-03-31"),
        ("M2", "2026-03-31", "2026-04-02"),
    ]


def test_product_thresholds_decide_classification_and_case_entry(
    creditor: Creditor, tmp_path: Path
) -> None:
    Product.objects.create(
        creditor=creditor,
        code="CARD",
        special_mention_dpd=1,
        substandard_dpd=3,
        doubtful_dpd=5,
        loss_dpd=7,
        case_threshold_dpd=4,
    )
    tape_ingest(
        creditor=creditor,
        kind="loans",
        path=write_csv(tmp_path / "l.csv", [loan_row("K1", product="CARD")]),
    )
    seen = {}
    for day in ("2026-03-01", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-07"):
        summary = cycle("--date", day)
        position = LoanPosition.objects.get(loan__loan_id="K1")
        seen[day] = (position.dpd, position.classification, summary["cases_opened"])

    assert seen == {
        "2026-03-01": (1, "special_mention", 0),
        "2026-03-03": (3, "substandard", 0),
        "2026-03-04": (4, "substandard", 1),
        "2026-03-05": (5, "doubtful", 0),
        "2026-03-07": (7, "loss", 0),
    }
    assert CollectionCase.objects.get().entry_dpd == 4


def test_limitation_is_watched_within_ninety_days_of_expiry(
    creditor: Creditor, tmp_path: Path
) -> None:
    rows = [
        loan_row("OLD", disbursed_on="2022-11-01", term_months="12"),
        loan_row("NEW", disbursed_on="2026-01-31"),
    ]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))

    cycle("--date", "2026-08-02")
    before = LoanPosition.objects.get(loan__loan_id="OLD")
    cycle("--date", "2026-08-03")
    old, new = (LoanPosition.objects.get(loan__loan_id=i) for i in ("OLD", "NEW"))

    assert old.limitation_expires_on.isoformat() == "2026-11-01"  # type: ignore[union-attr]
    assert (before.limitation_watch, old.limitation_watch) == (False, True)
    assert new.limitation_expires_on.isoformat() == "2030-01-31"  # type: ignore[union-attr]
    assert new.limitation_watch is False


def test_history_keeps_overdue_loans_daily_and_every_loan_at_month_end(
    creditor: Creditor, tmp_path: Path
) -> None:
    rows = [loan_row("LATE"), loan_row("LATER", disbursed_on="2026-03-15")]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))

    cycle("--date", "2026-03-29", "--through", "2026-04-01")
    days = {
        day.isoformat(): sorted(ids)
        for day in LoanHistory.objects.values_list("business_date", flat=True).distinct()
        for ids in [
            LoanHistory.objects.filter(business_date=day).values_list("loan__loan_id", flat=True)
        ]
    }

    assert days == {
        "2026-03-29": ["LATE"],
        "2026-03-30": ["LATE"],
        "2026-03-31": ["LATE", "LATER"],
        "2026-04-01": ["LATE"],
    }


def test_running_a_date_twice_changes_nothing(worked: Loan) -> None:
    cycle("--date", "2026-03-01", "--through", "2026-03-20")
    before = state_digest()

    again = cycle("--date", "2026-03-20")

    assert state_digest() == before
    assert again["attempts"] == 2 and again["status"] == "completed"


def test_the_json_summary_keeps_its_contract(worked: Loan) -> None:
    summary = cycle("--date", "2026-03-05")

    assert {"date", "loans", "overdue", "cases_opened", "cases_closed", "seconds"} <= set(summary)
    assert (summary["date"], summary["loans"], summary["overdue"]) == ("2026-03-05", 1, 1)
    assert [step["name"] for step in summary["steps"]] == [  # type: ignore[attr-defined]
        "post_payments",
        "accrue",
        "loan_state",
        "classify",
        "limitation",
        "cases",
        "commitments",
        "score",
        "unreachable",
        "plan",
        "outbox",
        "history",
        "rolls",
        "placements",
    ]


def test_moving_back_in_time_is_refused_with_the_reason(worked: Loan) -> None:
    cycle("--date", "2026-03-05")

    with pytest.raises(CommandError, match="already reached 2026-03-05"):
        cycle("--date", "2026-03-04")


def test_a_second_cycle_is_refused_while_one_runs(worked: Loan) -> None:
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        holder = psycopg.connect(
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            dbname=settings["NAME"],
            autocommit=True,
        )
        holder.execute("SELECT pg_advisory_lock(%s)", [lock_key(CYCLE_LOCK)])
    else:
        holder = lock_path(CYCLE_LOCK).open("a+")  # type: ignore[assignment]
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        with pytest.raises(CommandError, match="another cycle is running"):
            cycle("--date", "2026-03-05")
    finally:
        holder.close()

    assert not CycleRun.objects.exists()


def test_the_loan_command_shows_the_stored_state_with_cycle_keys(worked: Loan) -> None:
    cycle("--date", "2026-03-01", "--through", "2026-03-05")
    out = StringIO()

    call_command("loan", "W1", "--json", stdout=out)
    report = json.loads(out.getvalue())

    assert (report["as_of"], report["cycle_date"], report["dpd"]) == (
        "2026-03-05",
        "2026-03-05",
        5,
    )
    assert report["overdue"]["principal"] == "9461.85"
    assert report["penalty_accrued"] == "23.65"  # 9,461.85 × 5 days × 18 % / 360
    assert report["classification"] == "special_mention"
    assert report["limitation_expires_on"] == "2030-01-31"
    assert {k: report["case"][k] for k in ("status", "opened_on", "entry_dpd", "worst_dpd")} == {
        "status": "open",
        "opened_on": "2026-03-01",
        "entry_dpd": 1,
        "worst_dpd": 5,
    }
    assert report["case"]["closed_on"] is None and report["case"]["close_reason"] is None


def test_the_cycle_page_lists_runs_and_steps(worked: Loan, client: Client) -> None:
    cycle("--date", "2026-03-01")
    client.force_login(User.objects.create_superuser("boss", password="a-long-unique-pass"))

    page = client.get("/cycle/").content.decode()

    # Each step by its name (the code post_payments reads "Post payments").
    assert "2026-03-01" in page and "Post payments" in page and "History" in page


def test_the_cycle_page_is_closed_to_users_without_the_permission(client: Client) -> None:
    client.force_login(User.objects.create_user("clerk", password="a-long-unique-pass"))

    assert client.get("/cycle/").status_code == 403


def test_a_step_that_fails_fails_the_run_instead_of_being_skipped(
    worked: Loan, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError

    from arrears.cycle import runner

    def broken(first: int, last: int, on: object) -> int:
        raise IntegrityError("NOT NULL constraint failed: outbox.body")

    monkeypatch.setitem(runner.STEP_FUNCTIONS, "plan", broken)

    with pytest.raises(CommandError, match="NOT NULL constraint failed"):
        cycle("--date", "2026-03-05")
    run = CycleRun.objects.get(business_date="2026-03-05")
    assert run.status == "failed" and "NOT NULL" in run.error
