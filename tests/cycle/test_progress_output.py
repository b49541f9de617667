"""Long commands (cycle, ingest, demo) draw a progress bar with rate and ETA on standard
error when it is a terminal, and nothing there otherwise; standard output keeps its
summary lines or its pure JSON."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from arrears.cycle.choices import STEPS
from arrears.cycle.runner import STEP_FUNCTIONS, partitions_planned
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def loans(creditor: Creditor, tmp_path: Path) -> Path:
    rows = [loan_row(f"P{n}", borrower_phone=f"138001380{n:02}") for n in range(5)]
    path = write_csv(tmp_path / "loans.csv", rows)
    return path


def test_the_cycle_draws_its_steps_on_a_terminal_and_keeps_json_pure(
    loans: Path, creditor: Creditor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tape_ingest(creditor=creditor, kind="loans", path=loans)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    out = StringIO()

    call_command("cycle", "--date", "2026-03-01", "--through", "2026-03-02", "--json", stdout=out)

    assert [run["date"] for run in json.loads(out.getvalue())] == ["2026-03-01", "2026-03-02"]
    drawn = terminal.getvalue()
    steps = 2 * partitions_planned() * len(STEP_FUNCTIONS)
    assert "cycle" in drawn and "100%" in drawn and "step/s" in drawn
    assert f"/{steps}" in drawn  # the total: every step of every partition of both dates
    assert STEPS[-1] in drawn  # the step it is on at the end: the last one


def test_the_cycle_prints_no_bar_when_not_on_a_terminal(
    loans: Path, creditor: Creditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    tape_ingest(creditor=creditor, kind="loans", path=loans)
    piped = StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    out = StringIO()

    call_command("cycle", "--date", "2026-03-01", stdout=out)

    assert piped.getvalue() == ""
    assert out.getvalue().startswith("2026-03-01: 5 loans, ")


def test_ingest_draws_rows_on_a_terminal_and_prints_its_summary(
    loans: Path, creditor: Creditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    out = StringIO()

    call_command("ingest", "loans", str(loans), "--creditor", creditor.name, stdout=out)

    assert "loans.csv" in out.getvalue() and "5 created" in out.getvalue()
    drawn = terminal.getvalue()
    assert "loans" in drawn and "100%" in drawn and "row/s" in drawn


def test_ingest_json_stays_pure_and_draws_nothing_when_piped(
    loans: Path, creditor: Creditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    piped = StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    out = StringIO()

    call_command("ingest", "loans", str(loans), "--creditor", creditor.name, "--json", stdout=out)

    assert json.loads(out.getvalue())["created"] == 5
    assert piped.getvalue() == ""


def test_the_demo_says_where_its_messages_will_go(
    settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARREARS_SMS_PROVIDER", raising=False)
    monkeypatch.setattr(settings, "REQUIRE_SECRET", False)
    monkeypatch.setattr(settings, "ARREARS_DEV_OUTBOX_DIR", str(tmp_path / "dev-outbox"))
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    out = StringIO()

    call_command("demo", "--loans", "40", stdout=out)

    lines = out.getvalue().splitlines()
    [outbox] = [line for line in lines if line.startswith("outbox: ")]
    assert "arrears worker --outbox-only --until-empty" in outbox
    assert f"SMS land in {tmp_path / 'dev-outbox'}" in outbox  # email: locmem under test
    drawn = terminal.getvalue()
    assert "demo loans" in drawn and "demo cycle" in drawn and "100%" in drawn
